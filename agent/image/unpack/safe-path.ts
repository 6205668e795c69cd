// Path safety for layer extraction: entry names are normalised and refused when they could leave
// the layer directory, and paths are resolved one component at a time with lstat so that no
// symlink inside the tree is ever followed by the host.
import { lstat } from 'node:fs/promises';
import { posix } from 'node:path';
import { lstatSync, type Stats } from 'node:fs';
import { resolveIn } from '../../../shared/archive/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';

export class UnsafePathError extends Error {
  constructor(
    readonly entry: string,
    readonly reason: string,
  ) {
    super(`unsafe entry "${entry}": ${reason}`);
  }
}

/**
 * Normalises a tar entry name to a relative path ("a/b"). Strips leading "/" and "./" (absolute
 * names are taken relative to the layer root, as Docker and containerd do) and refuses names that
 * climb with "..", contain NUL, or name the root itself.
 */
export function normalizeEntryName(name: string): string {
  if (name.includes('\0')) throw new UnsafePathError(name, 'contains a NUL byte');
  const parts = name.split('/');
  if (parts.includes('..')) throw new UnsafePathError(name, 'contains ".." (path traversal)');
  const norm = posix
    .normalize('/' + name)
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');
  if (norm === '' || norm === '.') throw new UnsafePathError(name, 'names the layer root');
  return norm;
}

/**
 * Resolves `rel` inside `root` with chroot semantics (SecureJoin): shared/archive's resolver, the
 * one `cp` uses, on a view of `root` alone. The result is always inside `root`. Only safe while
 * nothing else mutates the tree (true for a private extraction dir or a build's rootfs); the hot
 * path of layer extraction does not resolve links at all (checkParentsSync refuses them).
 */
export async function secureJoin(root: string, rel: string): Promise<string> {
  try {
    return posix.join(root, await resolveIn({ root, mounts: [] }, `/${rel}`));
  } catch (err) {
    if (err instanceof FlotillaError && err.code === 'COPY_FAILED')
      throw new UnsafePathError(rel, 'too many levels of symbolic links');
    throw err;
  }
}

/**
 * Checks that every directory on the way to `rel` (exclusive) inside `root` is a real directory or
 * absent, never a symlink. Returns the first missing ancestor's index, so the caller knows which
 * parents it must create (parts.length when all exist).
 */
export async function checkParents(root: string, rel: string, entry: string): Promise<number> {
  const parts = rel.split('/');
  for (let i = 0; i < parts.length - 1; i++) {
    const p = posix.join(root, ...parts.slice(0, i + 1));
    let st: Stats;
    try {
      st = await lstat(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return i;
      throw err;
    }
    if (st.isSymbolicLink()) {
      throw new UnsafePathError(
        entry,
        `path goes through the symbolic link "${parts.slice(0, i + 1).join('/')}"`,
      );
    }
    if (!st.isDirectory()) {
      throw new UnsafePathError(entry, `"${parts.slice(0, i + 1).join('/')}" is not a directory`);
    }
  }
  return parts.length - 1;
}

/**
 * lstat of `rel` inside `root` when every ancestor is a real directory; undefined otherwise.
 * Used to read lower layers' metadata without following links planted in them.
 */
export async function lstatNoFollow(root: string, rel: string): Promise<Stats | undefined> {
  const parts = rel.split('/');
  for (let i = 0; i < parts.length; i++) {
    const st = await lstat(posix.join(root, ...parts.slice(0, i + 1))).catch(() => undefined);
    if (!st) return undefined;
    if (i === parts.length - 1) return st;
    if (!st.isDirectory()) return undefined;
  }
  return undefined;
}

/** checkParents with synchronous lstat calls, for the extractor (see layer-unpacker.ts). */
export function checkParentsSync(root: string, rel: string, entry: string): number {
  const parts = rel.split('/');
  for (let i = 0; i < parts.length - 1; i++) {
    const st = lstatSync(posix.join(root, ...parts.slice(0, i + 1)), { throwIfNoEntry: false });
    if (!st) return i;
    if (st.isSymbolicLink()) {
      throw new UnsafePathError(
        entry,
        `path goes through the symbolic link "${parts.slice(0, i + 1).join('/')}"`,
      );
    }
    if (!st.isDirectory()) {
      throw new UnsafePathError(entry, `"${parts.slice(0, i + 1).join('/')}" is not a directory`);
    }
  }
  return parts.length - 1;
}

/** lstatNoFollow with synchronous calls. */
export function lstatNoFollowSync(root: string, rel: string): Stats | undefined {
  const parts = rel.split('/');
  for (let i = 0; i < parts.length; i++) {
    let st: Stats | undefined;
    try {
      st = lstatSync(posix.join(root, ...parts.slice(0, i + 1)), { throwIfNoEntry: false });
    } catch {
      return undefined; // ENOTDIR and friends: not there
    }
    if (!st) return undefined;
    if (i === parts.length - 1) return st;
    if (!st.isDirectory()) return undefined;
  }
  return undefined;
}
