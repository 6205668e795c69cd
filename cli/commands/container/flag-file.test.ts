import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFlagFile } from './flag-file.js';

describe('readFlagFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flag-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('returns the text of a readable file', () => {
    writeFileSync(join(dir, 'env'), 'A=1\n');
    expect(readFlagFile('--env-file', join(dir, 'env'))).toBe('A=1\n');
  });

  it('refuses a missing file or a directory as a flag error naming the flag and the file', () => {
    const missing = join(dir, 'none');
    expect(() => readFlagFile('--label-file', missing)).toThrow(
      expect.objectContaining({
        code: 'INVALID_FLAG_VALUE',
        params: expect.objectContaining({
          flag: '--label-file',
          value: missing,
          reason: 'no such file',
        }),
      }),
    );
    expect(() => readFlagFile('--env-file', dir)).toThrow(/is a directory/);
  });
});
