import { describe, expect, it } from 'vitest';
import { DetachKeysFilter, detachKeyBytes } from './detach-keys.js';

async function through(
  keys: string,
  chunks: string[],
): Promise<{ out: string; detached: boolean }> {
  let detached = false;
  const f = new DetachKeysFilter(detachKeyBytes(keys), () => (detached = true));
  let out = '';
  f.on('data', (d: Buffer) => (out += d.toString('latin1')));
  for (const c of chunks) f.write(Buffer.from(c, 'latin1'));
  f.end();
  await new Promise((r) => setImmediate(r));
  return { out, detached };
}

describe('detach keys', () => {
  it("parses Docker's key names", () => {
    expect([...detachKeyBytes('ctrl-p,ctrl-q')]).toEqual([16, 17]);
    expect([...detachKeyBytes('ctrl-@,ctrl-_,a')]).toEqual([0, 31, 97]);
    expect(() => detachKeyBytes('ctrl-1')).toThrow('Invalid detach keys (ctrl-1) provided');
    expect(() => detachKeyBytes('esc')).toThrow(/Invalid detach keys/);
  });

  it('passes input on, holds a partial match, and detaches on the whole sequence', async () => {
    expect(await through('ctrl-p,ctrl-q', ['ab\x10', 'c'])).toEqual({
      out: 'ab\x10c',
      detached: false,
    });
    expect(await through('ctrl-p,ctrl-q', ['ab\x10', '\x11zz'])).toEqual({
      out: 'ab',
      detached: true,
    });
    expect(await through('ctrl-x', ['hi\x18after'])).toEqual({ out: 'hi', detached: true });
    expect(await through('ctrl-p,ctrl-q', ['\x10\x10\x11'])).toEqual({
      out: '\x10',
      detached: true,
    });
  });
});
