// Read-only views of a build state's root filesystem, for the steps that read an image without
// running it: COPY --from, --chown name lookup in /etc/passwd, and whether a directory exists.
// Two or more layers are mounted as a lower-only overlay (root needed); one layer is its directory.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';
import { execErrorText, mountOverlay, umount } from '../snapshot/index.js';
import { secureJoin } from '../unpack/index.js';

export interface LayerDirs {
  /** <root>/layers, the cwd for overlay mounts. */
  readonly layersDir: string;
  layerDir(chainId: string): string;
  relativeLayerDir(chainId: string): string;
}

export class RootfsViews {
  constructor(private readonly deps: { layers: LayerDirs; tmpRoot: string }) {}

  /** Runs `fn` with a read-only root filesystem of the layers (bottom first); always cleans up. */
  async with<T>(
    chainIds: string[],
    fn: (root: string) => Promise<T>,
    /** An extra directory on top (a container's upper dir, overlay-form whiteouts). */
    topDir?: string,
  ): Promise<T> {
    if (chainIds.length === 1 && !topDir) return fn(this.deps.layers.layerDir(chainIds[0]));
    if (chainIds.length === 0 && topDir) return fn(topDir);
    const dir = join(this.deps.tmpRoot, `view-${randomBytes(6).toString('hex')}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    let mounted = false;
    try {
      if (chainIds.length + (topDir ? 1 : 0) >= 2) {
        const dirs = [...chainIds].reverse().map((c) => this.deps.layers.relativeLayerDir(c));
        if (topDir) dirs.unshift(topDir);
        // Lower-only and read-only: nothing can change the layers (or the container's upper dir).
        await mountOverlay(`ro,lowerdir=${dirs.join(':')}`, dir, this.deps.layers.layersDir).catch(
          (err: unknown) => {
            throw new FlotillaError(
              'INTERNAL',
              { detail: `mount read-only view: ${execErrorText(err)}` },
              { cause: err },
            );
          },
        );
        mounted = true;
      }
      return await fn(dir);
    } finally {
      if (mounted) await umount(dir).catch(() => umount(dir, { lazy: true }));
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** Resolves `path` inside `root` following symlinks in its parents, never leaving `root`. */
export async function resolveIn(root: string, path: string): Promise<string> {
  const clean = posix.normalize(`/${path}`);
  if (clean === '/') return root;
  const parent = await secureJoin(root, posix.dirname(clean));
  return join(parent, posix.basename(clean));
}

/** uid/gid for `user[:group]`, numeric or looked up in the image's /etc/passwd and /etc/group. */
export async function resolveOwner(
  root: string,
  spec: string,
): Promise<{ uid: number; gid: number }> {
  const [user, group] = spec.split(':', 2);
  const passwd = await readIn(root, '/etc/passwd');
  const groups = await readIn(root, '/etc/group');
  const lookup = (text: string, name: string, idField: number): number | undefined => {
    for (const line of text.split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f[idField] !== undefined) return Number(f[idField]);
    }
    return undefined;
  };
  let uid: number;
  let gid: number | undefined;
  if (/^\d+$/.test(user)) uid = Number(user);
  else {
    const u = lookup(passwd, user, 2);
    if (u === undefined)
      throw new Error(`unable to find user ${user}: no matching entries in passwd file`);
    uid = u;
  }
  if (group === undefined) {
    // No group: the user's primary group when the user is named, else the same number.
    if (/^\d+$/.test(user)) gid = uid;
    else gid = lookup(passwd, user, 3) ?? uid;
  } else if (/^\d+$/.test(group)) gid = Number(group);
  else {
    gid = lookup(groups, group, 2);
    if (gid === undefined)
      throw new Error(`unable to find group ${group}: no matching entries in group file`);
  }
  return { uid, gid };
}

async function readIn(root: string, path: string): Promise<string> {
  try {
    return await readFile(await resolveIn(root, path), 'utf8');
  } catch {
    return '';
  }
}
