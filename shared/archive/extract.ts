// Extracts a tar stream into a directory of a view, as Docker's Untar does for `cp`: every entry's
// parent is resolved inside the view (links the archive planted are followed, but only within the
// root, as under chroot), existing directories are merged, other existing entries replaced. Every
// file is created, changed or removed through a pinned handle (fs-view.ts), never a host path.
import { execFile } from 'node:child_process';
import { constants, createWriteStream } from 'node:fs';
import {
  chmod,
  chown,
  lchown,
  link,
  lutimes,
  mkdir,
  open,
  symlink,
  utimes,
} from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import tar from 'tar-stream';
import { FlotillaError } from '../errors/index.js';
import type { FsView } from './fs-view.js';
import { hostPath, lstatIn, pin, pinEntry, removeIn, resolveIn } from './fs-view.js';

const execFileP = promisify(execFile);

export interface ExtractOptions {
  /** Refuse to replace a directory by a non-directory or the reverse (Docker's noOverwriteDirNonDir). */
  noOverwriteDirNonDir: boolean;
  /** 'archive': the headers' uid/gid; an owner: everything theirs; 'none': leave it to the OS. */
  owner: 'archive' | 'none' | { uid: number; gid: number };
}

type Entry = { header: tar.Header } & Readable;

/** The entry's path below the extraction directory, or undefined for the directory itself. */
function entryPath(name: string): string | undefined {
  if (name.includes('\0')) throw unsafe(name, 'contains a NUL byte');
  const clean = posix.normalize(`/${name}`).replace(/\/+$/, '');
  if (clean === '') return undefined;
  // normalize() folds ".." against the leading "/", so an entry can never climb out by name.
  return clean.slice(1);
}

function unsafe(name: string, reason: string): FlotillaError {
  return new FlotillaError('COPY_FAILED', { detail: `archive entry "${name}" ${reason}` });
}

/** Makes every missing directory of `dir` (a view path below an existing directory). */
async function mkdirIn(view: FsView, dir: string): Promise<string> {
  const parts = dir.split('/').filter(Boolean);
  let at = '/';
  for (const part of parts) {
    const next = await resolveIn(view, posix.join(at, part));
    const st = await lstatIn(view, next);
    if (!st) {
      checkWritable(view, next);
      await withEntry(view, next, (p) => mkdir(p, { mode: 0o755 }));
    } else if (!st.isDirectory())
      throw new FlotillaError('COPY_FAILED', { detail: `${next}: not a directory` });
    at = next;
  }
  return at;
}

/** Runs `op` on a host path naming the view entry `path` in its pinned parent (see pinEntry). */
async function withEntry<T>(view: FsView, path: string, op: (p: string) => Promise<T>): Promise<T> {
  const entry = await pinEntry(view, path);
  try {
    return await op(entry.path);
  } finally {
    entry.release();
  }
}

/** Runs `op` on a host path reaching the object at the view path `path` itself. */
async function withObject(view: FsView, path: string, op: (p: string) => Promise<void>) {
  const p = await pin(view, path);
  if (!p) throw new FlotillaError('COPY_FAILED', { detail: `${path}: removed while copying` });
  try {
    await op(p.path);
  } finally {
    p.release();
  }
}

export function checkWritable(view: FsView, path: string): void {
  const { mount } = hostPath(view, path);
  if (mount?.readOnly) throw new FlotillaError('COPY_READ_ONLY', { what: 'mounted volume' });
  if (!mount && view.readOnlyRoot)
    throw new FlotillaError('COPY_READ_ONLY', { what: 'container rootfs' });
}

function isMountPoint(view: FsView, path: string): boolean {
  return path === '/' || view.mounts.some((m) => m.destination === path);
}

export async function extractTar(
  view: FsView,
  destDir: string,
  source: Readable,
  opts: ExtractOptions,
): Promise<void> {
  const ex = tar.extract();
  source.on('error', (err) => ex.destroy(err));
  source.pipe(ex);
  const dirTimes: { path: string; mtime: Date }[] = [];
  for await (const e of ex as AsyncIterable<Entry>) {
    const h = e.header;
    const rel = entryPath(h.name);
    if (rel === undefined) {
      e.resume();
      continue;
    }
    const parent = await mkdirIn(view, posix.join(destDir, posix.dirname(rel)));
    const target = posix.join(parent, posix.basename(rel));
    checkWritable(view, target);
    const existing = await lstatIn(view, target);
    const isDir = h.type === 'directory';
    if (existing) {
      if (opts.noOverwriteDirNonDir && existing.isDirectory() && !isDir)
        throw new FlotillaError('COPY_OVERWRITE', {
          existing: 'directory',
          path: target,
          entry: h.name,
          with: 'non-directory',
        });
      if (opts.noOverwriteDirNonDir && !existing.isDirectory() && isDir)
        throw new FlotillaError('COPY_OVERWRITE', {
          existing: 'non-directory',
          path: target,
          entry: h.name,
          with: 'directory',
        });
      if (!(existing.isDirectory() && isDir)) {
        if (isMountPoint(view, target))
          throw new FlotillaError('COPY_FAILED', {
            detail: `cannot replace the mount point ${target}`,
          });
        await removeIn(view, target);
      }
    }
    const mode = (h.mode ?? 0o644) & 0o7777;
    switch (h.type) {
      case 'directory':
        if (!existing?.isDirectory())
          await withEntry(view, target, (p) => mkdir(p, { mode: 0o700 }));
        break;
      case 'file':
      case 'contiguous-file': {
        const fh = await withEntry(view, target, (p) =>
          open(
            p,
            constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
            0o600,
          ),
        );
        await pipeline(e, createWriteStream('', { fd: fh.fd, autoClose: false }));
        await fh.close();
        break;
      }
      case 'symlink':
        await withEntry(view, target, (p) => symlink(h.linkname ?? '', p));
        break;
      case 'link': {
        const from = await resolveIn(
          view,
          posix.join(destDir, entryPath(h.linkname ?? '') ?? ''),
          false,
        );
        // link(2) follows neither name: both are looked up in their pinned parents.
        await withEntry(view, from, (old) => withEntry(view, target, (p) => link(old, p))).catch(
          (err: NodeJS.ErrnoException) => {
            throw unsafe(h.name, `links to ${h.linkname}: ${err.code ?? err.message}`);
          },
        );
        break;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        const kind =
          h.type === 'fifo'
            ? ['p']
            : [
                h.type === 'block-device' ? 'b' : 'c',
                String(h.devmajor ?? 0),
                String(h.devminor ?? 0),
              ];
        await withEntry(view, target, (p) => execFileP('mknod', ['-m', '0600', '--', p, ...kind]));
        break;
      }
      default:
        e.resume();
        continue;
    }
    e.resume();
    // On the object pinned (a symlink's own inode for a symlink): chown, chmod and utimes through
    // its magic link change it and never what a link swapped in since would lead to.
    const mtime = h.mtime ?? new Date();
    if (h.type !== 'link')
      await withObject(view, target, async (p) => {
        if (opts.owner !== 'none') {
          const o = opts.owner === 'archive' ? { uid: h.uid ?? 0, gid: h.gid ?? 0 } : opts.owner;
          await (view.handles ? chown(p, o.uid, o.gid) : lchown(p, o.uid, o.gid));
        }
        // After chown, which clears set-uid bits.
        if (h.type !== 'symlink') await chmod(p, mode);
        if (!isDir) await (view.handles ? utimes(p, mtime, mtime) : lutimes(p, mtime, mtime));
      });
    if (isDir) dirTimes.push({ path: target, mtime });
  }
  // Directory times last: creating their entries changed them.
  for (const d of dirTimes.reverse())
    await withObject(view, d.path, (p) => utimes(p, d.mtime, d.mtime)).catch(() => undefined);
}
