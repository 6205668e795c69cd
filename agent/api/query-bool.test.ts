import { describe, expect, it } from 'vitest';
import { queryBool } from './query-bool.js';

describe('queryBool', () => {
  it('reads booleans as Docker does: docker-py sends True, the docker CLI 1', () => {
    for (const v of ['1', 'true', 'True', 'yes', ' TRUE ', true])
      expect(queryBool(v), String(v)).toBe(true);
    for (const v of ['', '0', 'no', 'false', 'False', 'none', undefined, 1])
      expect(queryBool(v), String(v)).toBe(false);
  });
});
