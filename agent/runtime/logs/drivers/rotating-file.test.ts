import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingFile } from './rotating-file.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'flt-rot-'));
  dirs.push(d);
  return join(d, 'x.log');
};

describe('RotatingFile', () => {
  it('rotates before the write that finds the file full, keeping max-file files', async () => {
    const path = tmp();
    const f = new RotatingFile(path, { maxSizeBytes: 10, maxFiles: 3, compress: false });
    for (const s of ['aaaaaa\n', 'bbbbbb\n', 'cccccc\n', 'dddddd\n', 'eeeeee\n'])
      await f.append(Buffer.from(s));
    await f.close();
    // 14 bytes per file (two entries), then rotation; the oldest beyond 3 files is gone.
    expect(readFileSync(path, 'utf8')).toBe('eeeeee\n');
    expect(readFileSync(`${path}.1`, 'utf8')).toBe('cccccc\ndddddd\n');
    expect(readFileSync(`${path}.2`, 'utf8')).toBe('aaaaaa\nbbbbbb\n');
    expect(existsSync(`${path}.3`)).toBe(false);
  });

  it('compresses rotated files to .N.gz', async () => {
    const path = tmp();
    const f = new RotatingFile(path, { maxSizeBytes: 4, maxFiles: 2, compress: true });
    for (const s of ['one\n', 'two\n', 'three\n']) await f.append(Buffer.from(s));
    await f.close();
    expect(readFileSync(path, 'utf8')).toBe('three\n');
    expect(gunzipSync(readFileSync(`${path}.1.gz`)).toString()).toBe('two\n');
    expect(existsSync(`${path}.1`)).toBe(false);
    expect(existsSync(`${path}.2.gz`)).toBe(false);
  });

  it('with max-file 1, starts the file over', async () => {
    const path = tmp();
    const f = new RotatingFile(path, { maxSizeBytes: 4, maxFiles: 1, compress: false });
    for (const s of ['one\n', 'two\n']) await f.append(Buffer.from(s));
    await f.close();
    expect(readFileSync(path, 'utf8')).toBe('two\n');
    expect(existsSync(`${path}.1`)).toBe(false);
  });
});
