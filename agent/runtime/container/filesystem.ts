// A container's files as `cp` and the archive routes see them: its root filesystem (the snapshot's
// merged overlay) with its volumes, bind mounts and /etc/hosts, hostname and resolv.conf at their
// destinations. tmpfs mounts live only in the container's mount namespace and are left out, as
// Docker's `cp` leaves them out. Every access goes through a flotilla-fsroot session (fsroot.ts).
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { isMountPoint } from '../../image/snapshot/index.js';
import {
  readFileIn,
  resolveIn,
  type FsView,
  type ViewMount,
} from '../../../shared/archive/index.js';
import { parseGroup, parsePasswd, resolveUserFrom } from '../bundle/user.js';
import type { RuntimeContext } from '../context.js';
import type { ContainerFiles } from '../types.js';
import { FsRootSession } from './fsroot.js';
import type { ContainerRecord } from './record.js';

const runtimeFiles = [
  ['/etc/hosts', 'hosts'],
  ['/etc/hostname', 'hostname'],
  ['/etc/resolv.conf', 'resolv.conf'],
] as const;

async function filesOf(
  ctx: RuntimeContext,
  rec: ContainerRecord,
  root: string,
  handles: FsRootSession,
): Promise<ContainerFiles> {
  const rootOnly: FsView = { root, mounts: [], handles };
  const mounts: ViewMount[] = [];
  // A destination is where runc really mounted it: symlinks on the way resolved in the rootfs.
  for (const m of rec.mounts)
    if (m.Type !== 'tmpfs')
      mounts.push({
        destination: await resolveIn(rootOnly, m.Destination),
        source: m.Source,
        readOnly: !m.RW,
      });
  const dir = ctx.store.dirOf(rec.id);
  for (const [dest, file] of runtimeFiles)
    if (!rec.mounts.some((m) => m.Destination === dest) && existsSync(join(dir, file)))
      mounts.push({ destination: dest, source: join(dir, file), readOnly: false });
  const view: FsView = {
    root,
    mounts,
    readOnlyRoot: Boolean(rec.options.readOnlyRootfs),
    handles,
  };
  const user = rec.config.User;
  return { view, userOwner: async () => (user ? userOf(view, user) : undefined) };
}

/** The container's /etc/passwd and /etc/group read through the view's handles, never a host path. */
async function userOf(view: FsView, spec: string): Promise<{ uid: number; gid: number }> {
  const lines = async (path: string) =>
    (await readFileIn(view, path).catch(() => ''))
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
  return resolveUserFrom(
    spec,
    parsePasswd(await lines('/etc/passwd')),
    parseGroup(await lines('/etc/group')),
  );
}

/**
 * Runs `fn` on the container's files. A running or paused container's rootfs is mounted already;
 * a stopped one's snapshot is mounted for the call if it is not, under the container's lock (a
 * start or rm waits for it), and unmounted after.
 */
export async function withContainerFs<T>(
  ctx: RuntimeContext,
  idOrName: string,
  fn: (files: ContainerFiles) => Promise<T>,
): Promise<T> {
  const rec = ctx.store.get(idOrName);
  // Running or stopped, one code path: a stopped container's files can be changed by another
  // container sharing a volume, or by a start racing the copy. The helper's handles are closed
  // before a snapshot mounted for the copy is unmounted.
  return withMounted(ctx, rec, async (root) => {
    const handles = FsRootSession.open();
    try {
      return await fn(await filesOf(ctx, rec, root, handles));
    } finally {
      await handles.close();
    }
  });
}

async function withMounted<T>(
  ctx: RuntimeContext,
  rec: ContainerRecord,
  fn: (root: string) => Promise<T>,
): Promise<T> {
  const live = () => rec.state.status === 'running' || rec.state.status === 'paused';
  if (live()) return fn(rec.rootfs);
  return ctx.lock.run(rec.id, async () => {
    if (live()) return fn(rec.rootfs);
    const merged = await realpath(rec.rootfs).catch(() => rec.rootfs);
    const wasMounted = await isMountPoint(merged);
    const snap = await ctx.deps.snapshotter.mount(rec.id);
    try {
      return await fn(snap.rootfs);
    } finally {
      if (!wasMounted && !live())
        await ctx.deps.snapshotter
          .unmount(rec.id)
          .catch((err) => ctx.log.warn({ err, containerId: rec.id }, 'unmount after copy failed'));
    }
  });
}
