// Root filesystems for the builder's RUN containers: an overlay of the build state's unpacked
// layers (from the layer store, by chain id) plus a private upper directory, which becomes the
// step's layer. Lower dirs are given relative to the layer store's directory (mount runs there) so
// long chains fit in the kernel's one-page option string.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Snapshot, Snapshotter } from '../snapshot/types.js';
import { run, type LayerDirs } from './rootfs.js';

export class BuildSnapshotter implements Snapshotter {
  constructor(private readonly deps: { layers: LayerDirs; root: string }) {}

  layerDir(chainId: string): string {
    return this.deps.layers.layerDir(chainId);
  }

  private paths(id: string) {
    const base = join(this.deps.root, id.slice(0, 16));
    return {
      base,
      upper: join(base, 'u'),
      work: join(base, 'w'),
      rootfs: join(base, 'r'),
      empty: join(base, 'e'),
      lower: join(base, 'lower'),
    };
  }

  /** The upper directory of a container's snapshot (exists until remove). */
  upperDir(containerId: string): string {
    return this.paths(containerId).upper;
  }

  async prepare(containerId: string, chainIds: string[]): Promise<Snapshot> {
    const p = this.paths(containerId);
    for (const d of [p.upper, p.work, p.rootfs, p.empty]) await mkdir(d, { recursive: true });
    const lower = chainIds.length
      ? [...chainIds]
          .reverse()
          .map((c) => this.deps.layers.relativeLayerDir(c))
          .join(':')
      : p.empty;
    await writeFile(p.lower, lower);
    return this.mount(containerId);
  }

  async mount(containerId: string): Promise<Snapshot> {
    const p = this.paths(containerId);
    const snap = { rootfs: p.rootfs, upperDir: p.upper };
    if (await isMountPoint(p.rootfs)) return snap;
    const lower = await readFile(p.lower, 'utf8');
    await run(
      'mount',
      [
        '-t',
        'overlay',
        'overlay',
        '-o',
        `lowerdir=${lower},upperdir=${p.upper},workdir=${p.work}`,
        p.rootfs,
      ],
      { cwd: this.deps.layers.layersDir },
    );
    return snap;
  }

  async unmount(containerId: string): Promise<void> {
    const p = this.paths(containerId);
    if (await isMountPoint(p.rootfs))
      await run('umount', [p.rootfs]).catch(() => run('umount', ['-l', p.rootfs]));
  }

  async remove(containerId: string): Promise<void> {
    const p = this.paths(containerId);
    if (!existsSync(p.base)) return;
    await this.unmount(containerId);
    await rm(p.base, { recursive: true, force: true });
  }
}

async function isMountPoint(path: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  return mounts.split('\n').some((l) => l.split(' ')[4] === path);
}
