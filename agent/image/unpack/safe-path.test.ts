import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkParents, lstatNoFollow, normalizeEntryName, secureJoin } from './safe-path.js';

describe('entry name normalisation', () => {
  it('strips leading slashes and dots', () => {
    expect(normalizeEntryName('/etc/passwd')).toBe('etc/passwd');
    expect(normalizeEntryName('./usr//bin/')).toBe('usr/bin');
  });

  it('refuses traversal, NUL bytes and the root itself', () => {
    expect(() => normalizeEntryName('../etc/passwd')).toThrow(/\.\./);
    expect(() => normalizeEntryName('a/../../b')).toThrow(/\.\./);
    expect(() => normalizeEntryName('/../../etc')).toThrow(/\.\./);
    expect(() => normalizeEntryName('a\0b')).toThrow(/NUL/);
    expect(() => normalizeEntryName('./')).toThrow(/root/);
  });
});

describe('path resolution inside a root', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'flotilla-safe-'));
    await mkdir(join(root, 'usr/lib'), { recursive: true });
    await symlink('/etc', join(root, 'abs'));
    await symlink('../../../../..', join(root, 'usr/up'));
    await symlink('usr/lib', join(root, 'lib'));
    await writeFile(join(root, 'file'), 'x');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps absolute symlink targets inside the root (chroot semantics)', async () => {
    expect(await secureJoin(root, 'abs/passwd')).toBe(join(root, 'etc/passwd'));
  });

  it('never climbs above the root through ".." in a symlink', async () => {
    expect(await secureJoin(root, 'usr/up/etc/shadow')).toBe(join(root, 'etc/shadow'));
    expect(await secureJoin(root, '../../x')).toBe(join(root, 'x'));
  });

  it('follows relative symlinks that stay inside', async () => {
    expect(await secureJoin(root, 'lib/libc.so')).toBe(join(root, 'usr/lib/libc.so'));
  });

  it('refuses an entry whose parent is a symlink, naming the link', async () => {
    await expect(checkParents(root, 'abs/passwd', 'abs/passwd')).rejects.toThrow(
      /symbolic link "abs"/,
    );
    await expect(checkParents(root, 'file/x', 'file/x')).rejects.toThrow(/not a directory/);
    expect(await checkParents(root, 'usr/lib/x', 'usr/lib/x')).toBe(2);
    expect(await checkParents(root, 'usr/new/deeper/x', 'e')).toBe(1);
  });

  it('reads lower metadata without following planted links', async () => {
    expect(await lstatNoFollow(root, 'abs/passwd')).toBeUndefined();
    expect((await lstatNoFollow(root, 'usr/lib'))?.isDirectory()).toBe(true);
  });
});
