// Extracts a tar stream into a directory of a view, as Docker's Untar does for `cp`: every entry's
// parent is resolved inside the view (links the archive planted are followed, but only within the
// root, as under chroot), existing directories are merged, other existing entries replaced.
import { execFile } from 'node:child_process';
import { constants, createWriteStream } from 'node:fs';
import { lchown, link, lutimes, mkdir, open, rm, symlink, chmod } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import tar from 'tar-stream';
import { FlotillaError } from '../errors/index.js';
import type { FsView } from './fs-view.js';
import { hostPath, lstatIn, resolveIn } from './fs-view.js';

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
      await mkdir(hostPath(view, next).path, { mode: 0o755 });
    } else if (!st.isDirectory())
      throw new FlotillaError('COPY_FAILED', { detail: `${next}: not a directory` });
    at = next;
  }
  return at;
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
    const host = hostPath(view, target).path;
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
        await rm(host, { recursive: true, force: true });
      }
    }
    const mode = (h.mode ?? 0o644) & 0o7777;
    switch (h.type) {
      case 'directory':
        if (!existing?.isDirectory()) await mkdir(host, { mode: 0o700 });
        break;
      case 'file':
      case 'contiguous-file': {
        const fh = await open(
          host,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
          0o600,
        );
        await pipeline(e, createWriteStream('', { fd: fh.fd, autoClose: false }));
        await fh.close();
        break;
      }
      case 'symlink':
        await symlink(h.linkname ?? '', host);
        break;
      case 'link': {
        const from = await resolveIn(
          view,
          posix.join(destDir, entryPath(h.linkname ?? '') ?? ''),
          false,
        );
        await link(hostPath(view, from).path, host).catch((err: NodeJS.ErrnoException) => {
          throw unsafe(h.name, `links to ${h.linkname}: ${err.code ?? err.message}`);
        });
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
        await execFileP('mknod', ['-m', '0600', '--', host, ...kind]);
        break;
      }
      default:
        e.resume();
        continue;
    }
    e.resume();
    if (opts.owner !== 'none') {
      const o = opts.owner === 'archive' ? { uid: h.uid ?? 0, gid: h.gid ?? 0 } : opts.owner;
      await lchown(host, o.uid, o.gid);
    }
    // After chown, which clears set-uid bits.
    if (h.type !== 'symlink' && h.type !== 'link') await chmod(host, mode);
    const mtime = h.mtime ?? new Date();
    if (isDir) dirTimes.push({ path: host, mtime });
    else if (h.type !== 'link') await lutimes(host, mtime, mtime);
  }
  // Directory times last: creating their entries changed them.
  for (const d of dirTimes.reverse())
    await lutimes(d.path, d.mtime, d.mtime).catch(() => undefined);
}
