// A file tree seen from inside a root, as a chrooted process sees it: a container's rootfs with its
// volumes and bind mounts, or the local machine (root "/"). Paths are resolved one component at a
// time with lstat, so no symlink can lead out of the root or of a mount's source; with `handles`
// (a running container, whose processes may swap links meanwhile) the kernel resolves every access.
import { lstat, readFile, readlink, rm, stat } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
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
  /**
   * Kernel-confined access (agent/runtime/container/fsroot.ts): every file is reached through a
   * handle resolved inside its root, never through a host path string the container could redirect.
   * Without it paths are joined as strings: only for trees nothing else changes (the local machine).
   */
  handles?: RootHandles;
}

/** A host path reaching one object itself (a /proc/PID/fd/N magic link), valid until released. */
export interface PinnedPath {
  path: string;
  release(): void;
}

export interface RootHandles {
  /** `rel` below the host directory `root`, resolved in the kernel without leaving it. */
  pin(root: string, rel: string, follow: boolean): Promise<PinnedPath | undefined>;
  readlink(pinned: PinnedPath): Promise<string>;
  /** Removes `name` (a directory with all it holds) in the pinned directory, following no link. */
  removeChild(dir: PinnedPath, name: string): Promise<void>;
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

/** The root directory a clean view path lies under (the view's, or a mount's source), and the rest. */
function rootOf(view: FsView, path: string): { root: string; rel: string } {
  const { mount } = hostPath(view, path);
  if (!mount) return { root: view.root, rel: path.slice(1) };
  return { root: mount.source, rel: path.slice(mount.destination.length).replace(/^\/+/, '') };
}

/**
 * A host path for the object at a clean view path (not following a last symlink unless asked);
 * undefined when it is not there. Ops on it reach that object and nothing else.
 */
export async function pin(
  view: FsView,
  path: string,
  follow = false,
): Promise<PinnedPath | undefined> {
  if (!view.handles) return { path: hostPath(view, path).path, release: () => undefined };
  const { root, rel } = rootOf(view, path);
  return view.handles.pin(root, rel, follow);
}

/**
 * A host path naming the entry `path` inside its pinned parent directory, for creating, linking or
 * removing it: only its last component is looked up, by calls that do not follow it.
 */
export async function pinEntry(view: FsView, path: string): Promise<PinnedPath & { name: string }> {
  const name = posix.basename(path);
  if (!view.handles) return { path: hostPath(view, path).path, name, release: () => undefined };
  const dir = await pin(view, posix.dirname(path));
  if (!dir) throw new FlotillaError('COPY_FAILED', { detail: `${posix.dirname(path)}: not found` });
  return { path: `${dir.path}/${name}`, name, release: () => dir.release() };
}

/** Removes the entry at a clean view path, a directory with everything in it. */
export async function removeIn(view: FsView, path: string): Promise<void> {
  if (!view.handles) return rm(hostPath(view, path).path, { recursive: true, force: true });
  const dir = await pin(view, posix.dirname(path));
  if (!dir) return;
  try {
    await view.handles.removeChild(dir, posix.basename(path));
  } finally {
    dir.release();
  }
}

/** The target of the symlink at a clean view path. */
export async function readlinkIn(view: FsView, path: string): Promise<string> {
  if (!view.handles) return readlink(hostPath(view, path).path);
  const p = await pin(view, path);
  if (!p) throw Object.assign(new Error(`${path}: not found`), { code: 'ENOENT' });
  try {
    return await view.handles.readlink(p);
  } finally {
    p.release();
  }
}

/** The contents of the file at `path` (links followed inside the view). */
export async function readFileIn(view: FsView, path: string): Promise<string> {
  const p = await pin(view, await resolveIn(view, path));
  if (!p) throw Object.assign(new Error(`${path}: not found`), { code: 'ENOENT' });
  // Through a handle no O_NOFOLLOW: its magic link is the last component; a symlink pinned there
  // since fails to open (ELOOP).
  const flags =
    constants.O_RDONLY | constants.O_NONBLOCK | (view.handles ? 0 : constants.O_NOFOLLOW);
  return readFile(p.path, { encoding: 'utf8', flag: flags }).finally(() => p.release());
}

/** lstat that answers undefined for a path that is not there. */
export async function lstatIn(view: FsView, path: string): Promise<Stats | undefined> {
  try {
    if (view.handles) {
      const p = await pin(view, path);
      if (!p) return undefined;
      // stat, not lstat: the magic link leads to the object itself, a symlink included.
      return await stat(p.path).finally(() => p.release());
    }
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
      const target = await readlinkIn(view, here);
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
