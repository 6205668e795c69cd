import { describe, expect, it } from 'vitest';
import { fieldDiff, formatChange } from './field-diff.js';

describe('fieldDiff', () => {
  it('names each changed, added and removed field by its path', () => {
    const a = {
      mode: { replicated: { replicas: 2 } },
      t: { image: 'a:1', env: ['A=1'], dir: '/x' },
    };
    const b = {
      mode: { replicated: { replicas: 3 } },
      t: { image: 'a:1', env: ['A=2'], user: 'u' },
    };
    expect(fieldDiff(a, b).map(formatChange)).toEqual([
      'mode.replicated.replicas: 2 → 3',
      't.dir: - "/x"',
      't.env: ["A=1"] → ["A=2"]',
      't.user: + "u"',
    ]);
  });

  it('finds nothing between documents that differ only in key order', () => {
    expect(fieldDiff({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toEqual([]);
  });
});
