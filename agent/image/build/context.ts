// Receives the build context (a tar the CLI made, .dockerignore already applied) into a private
// directory, refusing entries that would land outside it. Ownership is not kept: COPY and ADD give
// files to root unless --chown says otherwise, so only names, modes, mtimes and links matter.
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, rm, symlink, link, utimes, chmod } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { FlotillaError } from '../../../shared/errors/index.js';

/** A context path (as written in COPY) → a clean relative path, or an error if it leaves the root. */
export function cleanContextPath(p: string): string {
  const norm = posix.normalize(`/${p}`).slice(1);
  return norm.replace(/\/$/, '');
}

export async function extractContext(source: Readable, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const extract = tar.extract();
  const dirTimes: [string, Date][] = [];
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
        throw new FlotillaError('BUILD_CONTEXT_INVALID', {
          path: h.name,
          reason: 'the entry points outside the context',
        });
      const abs = join(dir, rel);
      await mkdir(dirname(abs), { recursive: true });
      await refuseSymlinkParents(dir, rel);
      const mode = (h.mode ?? 0o644) & 0o7777;
      switch (h.type) {
        case 'directory':
          await mkdir(abs, { recursive: true });
          await chmod(abs, mode);
          if (h.mtime) dirTimes.push([abs, h.mtime]);
          entry.resume();
          break;
        case 'file':
        case 'contiguous-file':
          await rm(abs, { force: true, recursive: true });
          await pipeline(entry, createWriteStream(abs, { mode }));
          await chmod(abs, mode);
          if (h.mtime) await utimes(abs, h.mtime, h.mtime);
          break;
        case 'symlink':
          await rm(abs, { force: true, recursive: true });
          await symlink(h.linkname ?? '', abs);
          entry.resume();
          break;
        case 'link': {
          const target = posix.normalize(String(h.linkname ?? '').replace(/^\/+/, ''));
          if (target.startsWith('..'))
            throw new FlotillaError('BUILD_CONTEXT_INVALID', {
              path: h.name,
              reason: 'a hard link points outside the context',
            });
          await rm(abs, { force: true, recursive: true });
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
  for (const [p, t] of dirTimes.reverse()) await utimes(p, t, t).catch(() => undefined);
}

/** Entries must not be written through a symlink an earlier entry planted. */
async function refuseSymlinkParents(root: string, rel: string): Promise<void> {
  const parts = rel.split('/').slice(0, -1);
  let cur = root;
  for (const p of parts) {
    cur = join(cur, p);
    const st = await lstat(cur);
    if (st.isSymbolicLink())
      throw new FlotillaError('BUILD_CONTEXT_INVALID', {
        path: rel,
        reason: 'the entry is below a symbolic link',
      });
  }
}
