import { describe, expect, it } from 'vitest';
import { credentialsFrom } from './images.js';

describe('X-Registry-Auth', () => {
  it('decodes base64 JSON credentials and treats absence as anonymous', () => {
    const h = Buffer.from(JSON.stringify({ username: 'u', password: 'p' })).toString('base64');
    expect(credentialsFrom(h)).toEqual({ username: 'u', password: 'p' });
    expect(credentialsFrom(undefined)).toBeUndefined();
  });

  it('refuses a header that is not base64 JSON with a username and password', () => {
    expect(() => credentialsFrom('%%%')).toThrow(
      expect.objectContaining({ code: 'IMAGE_AUTH_INVALID' }),
    );
    const h = Buffer.from(JSON.stringify({ username: 'u' })).toString('base64');
    expect(() => credentialsFrom(h)).toThrow(
      expect.objectContaining({ code: 'IMAGE_AUTH_INVALID' }),
    );
  });
});
