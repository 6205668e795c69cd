// A file tree seen from inside a root, as a chrooted process sees it: a container's rootfs with its
// volumes and bind mounts, or the local machine (root "/"). Paths are resolved one component at a
// time with lstat, so no symlink can lead out of the root or of a mount's source.
import { lstat, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { posix } from 'node:path';
import { FlotillaError } from '../errors/index.js';

const MAX_SYMLINK_HOPS = 255;

export interface ViewMount {
  /** Absolute path inside the view, symlinks resolved (where the mount really sits). */
  destination: string;
  /** Host path of what is mounted there (a volume's data dir, a bind source). */
  source: string;
  readOnly: boolean;
}

export interface FsView {
  /** Host directory that is "/" of the view. */
  root: string;
  /** Longest destination wins; an empty list for the local machine. */
  mounts: ViewMount[];
  /** Writes outside every mount are refused (a read-only root filesystem). */
  readOnlyRoot?: boolean;
}

/** The local machine as a view: "/" is "/", nothing is mounted over it. */
export const localView: FsView = { root: '/', mounts: [] };

/** The host path of a clean absolute view path, and the mount it falls in. */
export function hostPath(view: FsView, path: string): { path: string; mount?: ViewMount } {
  let best: ViewMount | undefined;
  for (const m of view.mounts) {
    const inside = path === m.destination || path.startsWith(`${m.destination}/`);
    if (inside && (!best || m.destination.length > best.destination.length)) best = m;
  }
  if (best)
    return { path: posix.join(best.source, path.slice(best.destination.length)), mount: best };
  return { path: posix.join(view.root, path) };
}

/** lstat that answers undefined for a path that is not there. */
export async function lstatIn(view: FsView, path: string): Promise<Stats | undefined> {
  try {
    return await lstat(hostPath(view, path).path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * Resolves `path` inside the view with chroot semantics: symlink targets are spliced in, absolute
 * ones restart at the view's "/", and ".." never climbs above it. With `followLast` false the last
 * component is left as it is (lstat semantics). Returns a clean absolute view path.
 */
export async function resolveIn(view: FsView, path: string, followLast = true): Promise<string> {
  let pending = path.split('/').filter((p) => p !== '' && p !== '.');
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    if (pending.length === 0 && !followLast) {
      resolved.push(part);
      break;
    }
    const here = `/${[...resolved, part].join('/')}`;
    const st = await lstatIn(view, here);
    if (st?.isSymbolicLink()) {
      if (++hops > MAX_SYMLINK_HOPS)
        throw new FlotillaError('COPY_FAILED', {
          detail: `${path}: too many levels of symbolic links`,
        });
      const target = await readlink(hostPath(view, here).path);
      if (target.startsWith('/')) resolved.length = 0;
      pending = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...pending];
      continue;
    }
    resolved.push(part);
  }
  return `/${resolved.join('/')}`;
}

/**
 * Docker's split of a requested path: a trailing "/" or "/." (or a last ".."/".") asks for the
 * directory itself, so the last component is followed; otherwise it is taken as it is.
 */
export async function resolveRequested(view: FsView, requested: string): Promise<string> {
  const abs = `/${requested}`;
  const last = abs.split('/').pop();
  const follow = abs.endsWith('/') || last === '.' || last === '..';
  return resolveIn(view, abs, follow);
}

/** Docker's name for a requested path: the base of it, "." kept, "/" for the root. */
export function requestedBase(requested: string): string {
  const abs = `/${requested}`;
  if (abs.endsWith('/.') || abs === '/.') return '.';
  const clean = posix.normalize(abs).replace(/\/+$/, '');
  return clean === '' ? '/' : posix.basename(clean);
}
