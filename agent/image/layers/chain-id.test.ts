import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainIdOf, chainIds } from './chain-id.js';

const d = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

describe('chain ids', () => {
  it('uses the diff id itself for the bottom layer', () => {
    expect(chainIdOf(undefined, d('a'))).toBe(d('a'));
  });

  it('hashes the parent chain id and the diff id joined by a space', () => {
    const parent = d('a');
    const expected = `sha256:${createHash('sha256')
      .update(`${parent} ${d('b')}`)
      .digest('hex')}`;
    expect(chainIdOf(parent, d('b'))).toBe(expected);
    expect(chainIds([d('a'), d('b'), d('c')])).toEqual([
      d('a'),
      expected,
      chainIdOf(expected, d('c')),
    ]);
  });

  it('gives the same diff on different parents different chain ids', () => {
    expect(chainIdOf(d('x'), d('b'))).not.toBe(chainIdOf(d('y'), d('b')));
  });

  it('refuses malformed digests', () => {
    expect(() => chainIdOf(undefined, 'sha256:zz')).toThrow(/invalid digest/);
  });
});
