import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SecretsKeySource } from './data-key.js';
import { nextRegistryAuth, openRegistryAuth, sealRegistryAuth } from './registry-auth.js';

const key = randomBytes(32);
const keys: SecretsKeySource = {
  current: async () => ({ id: 'k1', key }),
  open: (id) => {
    if (id !== 'k1') throw new Error('no key');
    return key;
  },
};
const creds = { username: 'deployer', password: 'hunter2-very-secret' };

describe('registry credentials at rest', () => {
  it('are sealed (no byte of the password in the document) and open again', async () => {
    const a = await sealRegistryAuth(keys, 'reg:5000', creds);
    const doc = JSON.stringify(a);
    expect(doc).not.toContain(creds.password);
    expect(doc).not.toContain(Buffer.from(creds.password).toString('base64'));
    expect(openRegistryAuth(keys, a)).toEqual(creds);
    // Copied onto another id, the sealed text does not open.
    expect(() => openRegistryAuth(keys, { ...a, id: 'other' })).toThrow();
  });

  it('keep their id when the same credentials are given again, and are kept when none are', async () => {
    const a = await sealRegistryAuth(keys, 'reg:5000', creds);
    expect(await nextRegistryAuth(keys, a, { registry: 'reg:5000', creds })).toBe(a);
    expect(await nextRegistryAuth(keys, a, undefined)).toBe(a);
    const b = await nextRegistryAuth(keys, a, {
      registry: 'reg:5000',
      creds: { ...creds, password: 'new' },
    });
    expect(b!.id).not.toBe(a.id);
    expect(openRegistryAuth(keys, b!).password).toBe('new');
  });
});
