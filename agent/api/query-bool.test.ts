import { describe, expect, it } from 'vitest';
import { queryBool, queryBoolOr } from './query-bool.js';

describe('queryBool', () => {
  it('reads booleans as Docker does: docker-py sends True, the docker CLI 1', () => {
    for (const v of ['1', 'true', 'True', 'yes', ' TRUE ', true])
      expect(queryBool(v), String(v)).toBe(true);
    for (const v of ['', '0', 'no', 'false', 'False', 'none', undefined, 1])
      expect(queryBool(v), String(v)).toBe(false);
  });

  it('takes the default only when the parameter is absent (an empty value is false)', () => {
    expect(queryBoolOr(undefined, true)).toBe(true);
    expect(queryBoolOr(null, true)).toBe(true);
    expect(queryBoolOr('', true)).toBe(false);
    expect(queryBoolOr('False', true)).toBe(false);
    expect(queryBoolOr('yes', false)).toBe(true);
  });
});
