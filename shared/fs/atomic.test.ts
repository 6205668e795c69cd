import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { open } from 'node:fs/promises';
import { writeFileAtomic, writeFileAtomicSync } from './atomic.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-atomic-'));
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('writeFileAtomic', () => {
  it('writes the content, 0600 by default', async () => {
    const file = join(dir, 'state.json');
    await writeFileAtomic(file, '{"a":1}');
    expect(await readFile(file, 'utf8')).toBe('{"a":1}');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('applies the mode exactly, whatever the umask', async () => {
    const file = join(dir, 'cert.pem');
    const old = process.umask(0o077);
    try {
      await writeFileAtomic(file, 'pem', { mode: 0o644 });
    } finally {
      process.umask(old);
    }
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  it('replaces an existing file with a 0600 one (a plain writeFile keeps the old mode)', async () => {
    const file = join(dir, 'container.json');
    await writeFile(file, 'old', { mode: 0o644 });
    await writeFileAtomic(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  // The copies with a fixed temporary name (`${path}.tmp`, `${path}.${pid}.tmp`) failed here: two
  // writers in one process shared the temporary file, and the second rename found it gone.
  it('lets concurrent writers of one file each finish, leaving one whole version', async () => {
    const file = join(dir, 'node.json');
    const versions = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({ i, pad: 'x'.repeat(i * 1000) }),
    );
    await Promise.all(versions.map((v) => writeFileAtomic(file, v)));
    expect(versions).toContain(await readFile(file, 'utf8'));
    expect(await readdir(dir)).toEqual(['node.json']);
  });

  // Only one copy fsynced, and none fsynced the directory: after a power loss the rename could be
  // lost, or the new name could point at an empty file.
  it('fsyncs the file and then the directory', async () => {
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { sync(): Promise<void> };
    await probe.close();
    const sync = vi.spyOn(proto, 'sync');
    await writeFileAtomic(join(dir, 'f'), 'data');
    expect(sync).toHaveBeenCalledTimes(2);
  });

  it('writes a stream, and on a failing stream keeps the old content and no temporary file', async () => {
    const file = join(dir, 'image.tar');
    await writeFileAtomic(file, Readable.from([Buffer.from('ab'), Buffer.from('cd')]));
    expect(await readFile(file, 'utf8')).toBe('abcd');
    async function* broken() {
      yield Buffer.from('partial');
      throw new Error('connection reset');
    }
    await expect(writeFileAtomic(file, broken())).rejects.toThrow('connection reset');
    expect(await readFile(file, 'utf8')).toBe('abcd');
    expect(await readdir(dir)).toEqual(['image.tar']);
  });

  it('fails when the directory does not exist, creating nothing', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'f'), 'x')).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});

describe('writeFileAtomicSync', () => {
  it('writes the content with the exact mode and leaves no temporary file', async () => {
    const file = join(dir, 'ca.pem');
    await writeFile(file, 'old', { mode: 0o600 });
    const old = process.umask(0o077);
    try {
      writeFileAtomicSync(file, 'new', { mode: 0o644 });
    } finally {
      process.umask(old);
    }
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect(await readdir(dir)).toEqual(['ca.pem']);
  });

  it('keeps the old content and removes the temporary file when the write fails', async () => {
    const file = join(dir, 'missing-dir', 'x');
    expect(() => writeFileAtomicSync(file, 'new')).toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });
});
