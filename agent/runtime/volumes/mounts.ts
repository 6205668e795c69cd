// Resolves a create's mounts to host paths: binds (a missing `-v` directory is made, as Docker
// does), named and anonymous volumes seeded from the image, tmpfs, and an anonymous volume for
// every image VOLUME without a mount of its own. Each volume made here adds its removal to `undo`.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';
import { secureJoin } from '../bundle/secure-join.js';
import type { ResolvedMount } from '../container/record.js';
import type { MountSpec } from '../types.js';
import type { VolumeStore } from './volume-store.js';

export async function resolveMounts(
  volumes: VolumeStore,
  mounts: MountSpec[],
  imageVolumes: Record<string, object>,
  rootfs: string,
  undo: (() => Promise<unknown>)[],
): Promise<ResolvedMount[]> {
  const out: ResolvedMount[] = [];
  const targets = new Set<string>();
  for (const m of mounts) {
    targets.add(m.target);
    if (m.type === 'bind') {
      if (m.createHostPath && m.source && isAbsolute(m.source) && !existsSync(m.source))
        await mkdir(m.source, { recursive: true });
      if (!m.source || !existsSync(m.source))
        throw new FlotillaError('MOUNT_INVALID', {
          spec: `${m.source ?? ''}:${m.target}`,
          reason: 'bind source path does not exist',
        });
      out.push({
        Type: 'bind',
        Source: m.source,
        Destination: m.target,
        RW: !m.readOnly,
        ...(m.propagation ? { Propagation: m.propagation } : {}),
      });
    } else if (m.type === 'volume') {
      const seedFrom = m.noCopy ? undefined : rootfs;
      out.push(await volumeFor(volumes, m.source, m.target, !m.readOnly, seedFrom, undo));
    } else {
      out.push({
        Type: 'tmpfs',
        Source: '',
        Destination: m.target,
        RW: !m.readOnly,
        ...(m.tmpfsSizeBytes ? { SizeBytes: m.tmpfsSizeBytes } : {}),
      });
    }
  }
  // Image VOLUMEs without a user mount get an anonymous volume, seeded from the image.
  for (const target of Object.keys(imageVolumes))
    if (!targets.has(target))
      out.push(await volumeFor(volumes, undefined, target, true, rootfs, undo));
  return out;
}

async function volumeFor(
  volumes: VolumeStore,
  name: string | undefined,
  target: string,
  rw: boolean,
  /** The rootfs to seed an empty volume from; undefined = leave it empty (nocopy). */
  rootfs: string | undefined,
  undo: (() => Promise<unknown>)[],
): Promise<ResolvedMount> {
  const existed = name ? volumes.exists(name) : false;
  const info = await volumes.create(name, {}, !name);
  if (!existed) undo.push(() => volumes.remove(info.Name));
  if (rootfs) await volumes.seed(info.Name, secureJoin(rootfs, target));
  return {
    Type: 'volume',
    Name: info.Name,
    Source: info.Mountpoint,
    Destination: target,
    RW: rw,
    Anonymous: !name,
  };
}
