// Receives the build context (a tar the CLI made, .dockerignore already applied) into a private
// directory, refusing entries that would land outside it. Ownership is not kept: COPY and ADD give
// files to root unless --chown says otherwise, so only names, modes, mtimes and links matter.
// No path is ever resolved through a symlink an entry planted: parents are lstat'ed one by one,
// files are opened O_NOFOLLOW|O_EXCL, and modes and times go only to real directories.
import { constants } from 'node:fs';
import { chmod, link, lstat, lutimes, mkdir, open, rm, symlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { FlotillaError } from '../../../shared/errors/index.js';

const FILE_FLAGS = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW;

/** A context path (as written in COPY) → a clean relative path, or an error if it leaves the root. */
export function cleanContextPath(p: string): string {
  const norm = posix.normalize(`/${p}`).slice(1);
  return norm.replace(/\/$/, '');
}

const invalid = (path: string, reason: string) =>
  new FlotillaError('BUILD_CONTEXT_INVALID', { path, reason });

export async function extractContext(source: Readable, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const extract = tar.extract();
  /** Deferred (writing into a dir changes its mtime); forgotten when the path is replaced. */
  const dirTimes = new Map<string, Date>();
  const replace = async (rel: string) => {
    await rm(join(dir, rel), { force: true, recursive: true });
    for (const d of dirTimes.keys()) if (d === rel || d.startsWith(`${rel}/`)) dirTimes.delete(d);
  };
  const done = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      const raw = h.name.replace(/^\.?\/+/, '');
      const rel = posix.normalize(raw).replace(/\/$/, '');
      if (rel === '' || rel === '.') {
        entry.resume();
        continue;
      }
      if (rel.startsWith('../') || rel === '..' || posix.isAbsolute(rel))
        throw invalid(h.name, 'the entry points outside the context');
      await makeParents(dir, rel);
      const abs = join(dir, rel);
      const existing = await lstat(abs).catch(() => undefined);
      const mode = (h.mode ?? 0o644) & 0o7777;
      switch (h.type) {
        case 'directory':
          // A symlink (or file) already there is replaced, never followed.
          if (!existing?.isDirectory()) {
            if (existing) await replace(rel);
            await mkdir(abs, { mode: 0o700 });
          }
          await chmod(abs, mode); // a real directory: lstat'ed above, and the tree is private
          if (h.mtime) dirTimes.set(rel, h.mtime);
          entry.resume();
          break;
        case 'file':
        case 'contiguous-file': {
          if (existing) await replace(rel);
          const fh = await open(abs, FILE_FLAGS, 0o600);
          try {
            for await (const chunk of entry) await fh.write(chunk as Buffer);
            await fh.chmod(mode);
            if (h.mtime) await fh.utimes(h.mtime, h.mtime);
          } finally {
            await fh.close();
          }
          break;
        }
        case 'symlink':
          if (existing) await replace(rel);
          await symlink(h.linkname ?? '', abs);
          entry.resume();
          break;
        case 'link': {
          const target = posix.normalize(String(h.linkname ?? '').replace(/^\/+/, ''));
          if (target.startsWith('..') || target === '.')
            throw invalid(h.name, 'a hard link points outside the context');
          // link(2) resolves the target's parents: they must be real directories of the context.
          const st = await lstatInside(dir, target);
          if (!st) throw invalid(h.name, `the hard link target "${target}" is not in the context`);
          if (st.isDirectory()) throw invalid(h.name, 'a hard link points to a directory');
          if (existing) await replace(rel);
          await link(join(dir, target), abs);
          entry.resume();
          break;
        }
        default:
          // Devices, fifos: not meaningful in a context.
          entry.resume();
      }
    }
  })();
  await Promise.all([pipeline(source, extract), done]).catch((err: unknown) => {
    extract.destroy();
    if (err instanceof FlotillaError) throw err;
    throw new FlotillaError(
      'BUILD_CONTEXT_INVALID',
      { path: '-', reason: `not a valid tar: ${(err as Error).message}` },
      { cause: err },
    );
  });
  // Deepest first, and only to paths that are still real directories through real directories.
  const dirs = [...dirTimes].sort((a, b) => b[0].split('/').length - a[0].split('/').length);
  for (const [rel, t] of dirs)
    if ((await lstatInside(dir, rel))?.isDirectory())
      await lutimes(join(dir, rel), t, t).catch(() => undefined);
}

/**
 * Creates the missing parents of `rel` inside `root`; an existing parent must be a real directory
 * (an earlier entry's symlink is never followed, so `link -> /x` then `link/f` is refused).
 */
async function makeParents(root: string, rel: string): Promise<void> {
  const parts = rel.split('/').slice(0, -1);
  for (let i = 0; i < parts.length; i++) {
    const sub = parts.slice(0, i + 1).join('/');
    const st = await lstat(join(root, sub)).catch(() => undefined);
    if (!st) await mkdir(join(root, sub), { mode: 0o755 });
    else if (st.isSymbolicLink()) throw invalid(rel, 'the entry is below a symbolic link');
    else if (!st.isDirectory()) throw invalid(rel, `"${sub}" is not a directory`);
  }
}

/** lstat of `rel` when every ancestor inside `root` is a real directory; undefined otherwise. */
async function lstatInside(root: string, rel: string) {
  const parts = rel.split('/');
  for (let i = 0; i < parts.length; i++) {
    const st = await lstat(join(root, ...parts.slice(0, i + 1))).catch(() => undefined);
    if (!st || i === parts.length - 1) return st;
    if (!st.isDirectory()) return undefined;
  }
  return undefined;
}
