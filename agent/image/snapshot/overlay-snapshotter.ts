// Per-container root filesystems as overlay mounts: <root>/snapshots/<id>/{upper,work,merged} over
// the image's unpacked layer dirs and, when asked for, the container's init layer (<id>/init). Lower
// dirs are named relative to the layer store's directory (mount runs there) so that 120+ layers fit
// in mount(2)'s one-page option string. Layers are the layer store's; mounting inside the
// container's namespace is the runtime's.
import { mkdir, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';
import { writeFileAtomic } from '../../../shared/fs/atomic.js';
import type { LayerStore } from '../layers/index.js';
import { KeyedLock } from '../../../shared/concurrency/keyed-lock.js';
import {
  execErrorText,
  isMountPoint,
  MAX_MOUNT_OPTIONS_BYTES,
  mountOverlay,
  umount,
} from './mounts.js';
import { writeInitLayer, type InitLayerPaths } from './init-layer.js';
import type { Snapshot, Snapshotter } from './types.js';

const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

interface SnapshotRecord {
  /** Chain ids, bottom first. */
  chainIds: string[];
  /** The snapshot has an init layer (<id>/init); records written before it had none. */
  init?: boolean;
}

export class OverlaySnapshotter implements Snapshotter {
  readonly snapshotsDir: string;
  private readonly locks = new KeyedLock();

  constructor(
    readonly root: string,
    private readonly layers: LayerStore,
  ) {
    this.snapshotsDir = join(root, 'snapshots');
  }

  layerDir(chainId: string): string {
    return this.layers.layerDir(chainId);
  }

  /** Directory holding the snapshot's upper, work and merged dirs. */
  snapshotDir(containerId: string): string {
    if (!CONTAINER_ID.test(containerId)) {
      throw new FlotillaError('INVALID_ARGUMENT', {
        detail: `invalid container id "${containerId}"`,
      });
    }
    return join(this.snapshotsDir, containerId);
  }

  async prepare(containerId: string, chainIds: string[], init?: InitLayerPaths): Promise<Snapshot> {
    const dir = this.snapshotDir(containerId);
    return this.locks.run(containerId, async () => {
      for (const chainId of chainIds) {
        if (!(await this.layers.has(chainId)))
          throw new FlotillaError('LAYER_NOT_FOUND', { chainId });
      }
      const existing = await this.readRecord(containerId);
      if (!existing) {
        // snapshots/ and snapshots/<id> are private; upper keeps 0755, being the root dir that
        // the container's users see.
        await mkdir(dir, { recursive: true, mode: 0o700 });
        for (const sub of ['upper', 'work', 'merged', 'empty'])
          await mkdir(join(dir, sub), { recursive: true, mode: 0o755 });
        if (init) {
          await mkdir(join(dir, 'init'), { mode: 0o755 });
          const lowers = [...chainIds].reverse().map((c) => this.layers.layerDir(c));
          await writeInitLayer(join(dir, 'init'), init, lowers);
        }
        const record: SnapshotRecord = { chainIds, ...(init ? { init: true } : {}) };
        await writeFileAtomic(join(dir, 'snapshot.json'), JSON.stringify(record), { mode: 0o600 });
      }
      return this.mountLocked(containerId);
    });
  }

  async mount(containerId: string): Promise<Snapshot> {
    this.snapshotDir(containerId);
    return this.locks.run(containerId, () => this.mountLocked(containerId));
  }

  async unmount(containerId: string): Promise<void> {
    const dir = this.snapshotDir(containerId);
    await this.locks.run(containerId, async () => {
      const merged = await realpath(join(dir, 'merged')).catch(() => undefined);
      if (!merged || !(await isMountPoint(merged))) return;
      try {
        await umount(merged);
      } catch (err) {
        throw new FlotillaError(
          'SNAPSHOT_UNMOUNT_FAILED',
          { containerId, reason: execErrorText(err), path: merged },
          { cause: err },
        );
      }
    });
  }

  async remove(containerId: string): Promise<void> {
    const dir = this.snapshotDir(containerId);
    await this.locks.run(containerId, async () => {
      const merged = await realpath(join(dir, 'merged')).catch(() => undefined);
      if (merged && (await isMountPoint(merged))) {
        try {
          await umount(merged);
        } catch (err) {
          // Busy (a process still has files open): detach it now; the kernel frees it when the
          // last user goes away.
          try {
            await umount(merged, { lazy: true });
          } catch (lazyErr) {
            throw new FlotillaError(
              'SNAPSHOT_UNMOUNT_FAILED',
              {
                containerId,
                reason: `${execErrorText(err)}; lazy unmount: ${execErrorText(lazyErr)}`,
                path: merged,
              },
              { cause: lazyErr },
            );
          }
        }
      }
      await rm(dir, { recursive: true, force: true });
    });
  }

  /** The overlay option string for a snapshot; exposed for tests and diagnostics. */
  overlayOptions(containerId: string, chainIds: string[], init = false): string {
    const dir = this.snapshotDir(containerId);
    // Top layer first; relative to the layer store's directory, where mount runs.
    const lowers = chainIds.length
      ? [...chainIds].reverse().map((c) => this.layers.relativeLayerDir(c))
      : [join(dir, 'empty')];
    if (init) lowers.unshift(join(dir, 'init'));
    return `lowerdir=${lowers.join(':')},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`;
  }

  private async mountLocked(containerId: string): Promise<Snapshot> {
    const dir = this.snapshotDir(containerId);
    const record = await this.readRecord(containerId);
    if (!record) throw new FlotillaError('SNAPSHOT_NOT_FOUND', { containerId });
    const snapshot: Snapshot = {
      rootfs: join(dir, 'merged'),
      upperDir: join(dir, 'upper'),
      ...(record.init ? { initDir: join(dir, 'init') } : {}),
    };
    const merged = await realpath(snapshot.rootfs);
    if (await isMountPoint(merged)) return snapshot;
    const options = this.overlayOptions(containerId, record.chainIds, record.init);
    if (Buffer.byteLength(options) > MAX_MOUNT_OPTIONS_BYTES) {
      throw new FlotillaError('SNAPSHOT_MOUNT_FAILED', {
        containerId,
        reason: `${record.chainIds.length} layers need ${Buffer.byteLength(options)} bytes of mount options, more than one page`,
      });
    }
    for (const p of [this.layers.root, dir]) {
      if (/[:,]/.test(p)) {
        throw new FlotillaError('SNAPSHOT_MOUNT_FAILED', {
          containerId,
          reason: `path ${p} contains ":" or ","`,
        });
      }
    }
    // A work dir left by an earlier mount may hold stale state; overlay wants it empty.
    await rm(join(dir, 'work'), { recursive: true, force: true });
    await mkdir(join(dir, 'work'));
    try {
      await mountOverlay(options, merged, this.layers.layersDir);
    } catch (err) {
      throw new FlotillaError(
        'SNAPSHOT_MOUNT_FAILED',
        { containerId, reason: execErrorText(err) },
        { cause: err },
      );
    }
    return snapshot;
  }

  private async readRecord(containerId: string): Promise<SnapshotRecord | undefined> {
    try {
      return JSON.parse(
        await readFile(join(this.snapshotDir(containerId), 'snapshot.json'), 'utf8'),
      ) as SnapshotRecord;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Container ids that have a snapshot on disk (for restore after a restart). */
  async list(): Promise<string[]> {
    return (await readdir(this.snapshotsDir).catch(() => [] as string[]))
      .filter((n) => CONTAINER_ID.test(n))
      .sort();
  }
}
