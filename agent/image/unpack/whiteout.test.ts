import { describe, expect, it } from 'vitest';
import { parseWhiteout } from './whiteout.js';

describe('whiteout names', () => {
  it('recognises plain files, whiteouts, opaque markers and AUFS metadata', () => {
    expect(parseWhiteout('passwd')).toEqual({ kind: 'none' });
    expect(parseWhiteout('.wh.passwd')).toEqual({ kind: 'whiteout', target: 'passwd' });
    expect(parseWhiteout('.wh..hidden')).toEqual({ kind: 'whiteout', target: '.hidden' });
    expect(parseWhiteout('.wh..wh..opq')).toEqual({ kind: 'opaque' });
    expect(parseWhiteout('.wh..wh.plnk')).toEqual({ kind: 'meta' });
  });

  it('refuses whiteouts that name nothing or climb', () => {
    expect(parseWhiteout('.wh.').kind).toBe('invalid');
    expect(parseWhiteout('.wh..').kind).toBe('invalid');
    expect(parseWhiteout('.wh...').kind).toBe('invalid');
  });
});
