import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultLogLimits, LogRotator, parseLogOpts, shiftLogFiles } from './rotation.js';

describe('--log-opt', () => {
  it('defaults to 10 MB × 3 files', () => {
    expect(parseLogOpts()).toEqual({ maxSizeBytes: 10 * 1024 * 1024, maxFiles: 3 });
    expect(defaultLogLimits.maxFiles).toBe(3);
  });
  it("takes Docker's max-size units and max-file", () => {
    expect(parseLogOpts({ 'max-size': '8k', 'max-file': '5' })).toEqual({
      maxSizeBytes: 8192,
      maxFiles: 5,
    });
    expect(parseLogOpts({ 'max-size': '-1' }).maxSizeBytes).toBe(0);
  });
  it('refuses bad values and unknown options', () => {
    expect(() => parseLogOpts({ 'max-file': '0' })).toThrow(/max-file/);
    expect(() => parseLogOpts({ 'max-size': 'lots' })).toThrow();
    expect(() => parseLogOpts({ compress: 'true' })).toThrow(/supported: max-size, max-file/);
  });
});

describe('rotation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flt-rot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shifts files and drops the oldest beyond max-file', async () => {
    const p = join(dir, 'a.log');
    for (const gen of ['one', 'two', 'three', 'four']) {
      writeFileSync(p, gen);
      await shiftLogFiles(p, 3);
    }
    expect(existsSync(p)).toBe(false);
    expect(readFileSync(`${p}.1`, 'utf8')).toBe('four');
    expect(readFileSync(`${p}.2`, 'utf8')).toBe('three');
    expect(existsSync(`${p}.3`)).toBe(false);
  });

  it('rotates a watched log once it passes max-size and asks for a reopen', async () => {
    const p = join(dir, 'ctr.log');
    writeFileSync(p, 'x'.repeat(10));
    const reopened: string[] = [];
    const r = new LogRotator({
      reopen: async (id) => {
        reopened.push(id);
        writeFileSync(p, ''); // what conmon does on reopen
      },
      onError: (err) => {
        throw err;
      },
    });
    r.watch('c1', p, { maxSizeBytes: 100, maxFiles: 2 });
    await r.check('c1');
    expect(reopened).toEqual([]);
    writeFileSync(p, 'y'.repeat(150));
    await r.check('c1');
    expect(reopened).toEqual(['c1']);
    expect(readFileSync(`${p}.1`, 'utf8')).toBe('y'.repeat(150));
    r.stop();
  });
});
