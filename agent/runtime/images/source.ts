// What the runtime needs from the image component: a local image's run config and layer chain.
// `imageServiceSource` adapts agent/image's ImageService; `DirImageSource` + `DirSnapshotter` are
// the runtime's own stand-ins (an image is a directory with rootfs/ and config.json), used by
// tests and benchmarks and when no image service is wired.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Snapshot, Snapshotter } from '../../image/snapshot/types.js';
import type { ImageRunConfig } from '../bundle/merge.js';
import { runCommand } from '../runc/runc.js';

export interface RuntimeImage {
  imageId: string;
  ref: string;
  config: ImageRunConfig;
  /** Chain ids, bottom first (Snapshotter.prepare input). */
  chainIds: string[];
}

export interface ImageSource {
  /** Resolves a local image; throws a not_found FlotillaError when it is not there. */
  resolve(ref: string): Promise<RuntimeImage>;
}

/** Adapts anything with ImageService's `resolve(ref)` (agent/image/service.ts). */
export function imageServiceSource(svc: {
  resolve(
    ref: string,
  ): Promise<{
    imageId: string;
    config: { config?: Record<string, unknown> };
    chainIds: string[];
    ref?: string;
  }>;
}): ImageSource {
  return {
    async resolve(ref) {
      const img = await svc.resolve(ref);
      return {
        imageId: img.imageId,
        ref: img.ref ?? ref,
        config: (img.config.config ?? {}) as ImageRunConfig,
        chainIds: img.chainIds,
      };
    },
  };
}

/** Tries each source in turn; the first one's not_found error wins if none has the image. */
export function firstOf(...sources: ImageSource[]): ImageSource {
  return {
    async resolve(ref) {
      let first: unknown;
      for (const s of sources) {
        try {
          return await s.resolve(ref);
        } catch (err) {
          if (!(err instanceof FlotillaError) || err.kind !== 'not_found') throw err;
          first ??= err;
        }
      }
      throw first ?? new FlotillaError('CONTAINER_IMAGE_NOT_FOUND', { ref });
    },
  };
}

export function dirImageName(ref: string): string {
  return ref
    .replace(/^docker\.io\/(library\/)?/, '')
    .replace(/:latest$/, '')
    .replace(/[/:@]/g, '_');
}

export class DirImageSource implements ImageSource {
  constructor(private readonly deps: { root: string }) {}

  async resolve(ref: string): Promise<RuntimeImage> {
    const dir = join(this.deps.root, dirImageName(ref));
    if (!existsSync(join(dir, 'rootfs')))
      throw new FlotillaError('CONTAINER_IMAGE_NOT_FOUND', { ref });
    let config: ImageRunConfig = {};
    try {
      config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as ImageRunConfig;
    } catch {
      // No config: the image has no defaults.
    }
    return {
      imageId: `sha256:dir-${dirImageName(ref)}`,
      ref,
      config,
      chainIds: [`dir:${dirImageName(ref)}`],
    };
  }
}

/** Overlay of a directory image plus a per-container upper dir (mounted with mount(8)). */
export class DirSnapshotter implements Snapshotter {
  constructor(private readonly deps: { imagesRoot: string; root: string }) {}

  layerDir(chainId: string): string {
    return join(this.deps.imagesRoot, chainId.replace(/^dir:/, ''), 'rootfs');
  }

  private paths(id: string) {
    const base = join(this.deps.root, id.slice(0, 16));
    return {
      base,
      upper: join(base, 'u'),
      work: join(base, 'w'),
      rootfs: join(base, 'r'),
      lower: join(base, 'lower'),
    };
  }

  async prepare(containerId: string, chainIds: string[]): Promise<Snapshot> {
    const p = this.paths(containerId);
    await mkdir(p.upper, { recursive: true });
    await mkdir(p.work, { recursive: true });
    await mkdir(p.rootfs, { recursive: true });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      p.lower,
      chainIds
        .map((c) => this.layerDir(c))
        .reverse()
        .join(':'),
    );
    return this.mount(containerId);
  }

  async mount(containerId: string): Promise<Snapshot> {
    const p = this.paths(containerId);
    const snap = { rootfs: p.rootfs, upperDir: p.upper };
    if (await isMountPoint(p.rootfs)) return snap;
    const lower = readFileSync(p.lower, 'utf8');
    const r = await runCommand('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${lower},upperdir=${p.upper},workdir=${p.work}`,
      p.rootfs,
    ]);
    if (r.code !== 0)
      throw new FlotillaError('CONTAINER_RUNTIME_FAILED', {
        id: containerId,
        detail: `mount overlay: ${r.stderr.trim()}`,
      });
    return snap;
  }

  async unmount(containerId: string): Promise<void> {
    const p = this.paths(containerId);
    if (await isMountPoint(p.rootfs)) await runCommand('umount', [p.rootfs]);
  }

  async remove(containerId: string): Promise<void> {
    await this.unmount(containerId);
    await rm(this.paths(containerId).base, { recursive: true, force: true });
  }
}

export async function isMountPoint(path: string): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  return mounts.split('\n').some((l) => l.split(' ')[4] === path);
}
