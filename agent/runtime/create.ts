// `create`: checks the options, resolves the image, prepares the snapshot and the mounts, and
// writes the record of a created container. Anything made before a failure is undone, so a failed
// create leaves nothing (no name, directory, snapshot or new volume).
import { mkdir, rm } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { FlotillaError } from '../../shared/errors/index.js';
import { mergeConfig } from './bundle/merge.js';
import { runtimeMountPoints } from './bundle/mount-points.js';
import { checkSpecOptionsOnHost } from './bundle/spec-options.js';
import { resolveUser } from './bundle/user.js';
import { zeroTime, type ContainerRecord } from './container/record.js';
import { validateCreateOptions } from './container/validate.js';
import {
  checkExtraNetworks,
  checkPlatform,
  checkRequestedIp,
  inheritedMounts,
} from './container/placement.js';
import type { RuntimeContext } from './context.js';
import { checkLogConfig, resolveLogConfig } from './logs/drivers/config.js';
import type { ContainerCreateOptions } from './types.js';
import { resolveMounts } from './volumes/mounts.js';

export async function createContainer(
  ctx: RuntimeContext,
  opts: ContainerCreateOptions,
): Promise<{ id: string; warnings: string[] }> {
  const { images, snapshotter, network, defaultRuntime } = ctx.deps;
  validateCreateOptions(opts);
  const { opts: onHost, warnings } = checkSpecOptionsOnHost(opts);
  opts = onHost;
  // The driver is fixed at create (the agent's default may change later, as dockerd's may).
  opts = { ...opts, ...resolveLogConfig(opts, ctx.deps.defaultLogDriver) };
  checkLogConfig(opts.logDriver!, opts.logOpts);
  // An unknown network fails `create`, as Docker's does, instead of leaving a container that
  // cannot start.
  const net = opts.network;
  const cluster = ctx.deps.clusterAttachments?.current;
  let onCluster = false;
  if (net && !['bridge', 'host', 'none'].includes(net) && !net.startsWith('container:'))
    try {
      network?.inspectNetwork?.(net);
    } catch (err) {
      // No network of this agent: on a joined agent, perhaps an attachable cluster overlay.
      if (!cluster || !(err instanceof FlotillaError) || err.code !== 'NETWORK_NOT_FOUND')
        throw err;
      onCluster = true;
    }
  if (!onCluster) checkRequestedIp(opts, network);
  else if (opts.ipv4Address) throw new FlotillaError('IP_NEEDS_USER_NETWORK', {});
  checkExtraNetworks(opts, network);
  opts = { ...opts, runtime: ctx.checkRuntime(opts.runtime || defaultRuntime || 'runc') };
  const image = await images.resolve(opts.image);
  checkPlatform(opts, image);
  // --volumes-from: its containers are looked up before anything is made (an unknown one fails).
  const inherited = inheritedMounts(opts, (ref) => ctx.store.get(ref));
  const id = ctx.store.newId();
  const name = ctx.store.reserveName(id, opts.name);
  const undo: (() => Promise<unknown>)[] = [async () => ctx.store.releaseName(name, id)];
  try {
    if (onCluster) {
      // The manager's address, asked before anything is made: a refusal leaves nothing.
      const a = await cluster!.attach({
        target: net!,
        containerId: id,
        containerName: name,
        aliases: opts.networkAliases ?? [],
      });
      undo.push(() => cluster!.detach(a.id));
      opts = { ...opts, overlays: [a.network], clusterAttachmentId: a.id };
    }
    const hostname = opts.hostname || (opts.utsMode === 'host' ? osHostname() : id.slice(0, 12));
    const config = mergeConfig(opts.image, image.config, opts, hostname);
    const dir = ctx.store.dirOf(id);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    undo.push(() => rm(dir, { recursive: true, force: true }));
    undo.push(() => snapshotter.remove(id));
    const snap = await snapshotter.prepare(id, image.chainIds, runtimeMountPoints);
    // Resolve now so that an unknown user fails `create`, not a later `start`.
    resolveUser(snap.rootfs, config.User);
    // Own mounts win over inherited ones at the same target; inherited ones over image VOLUMEs.
    const inheritedAt = new Set(inherited.map((m) => m.Destination));
    const own = await resolveMounts(
      ctx.volumeStore,
      opts.mounts ?? [],
      Object.fromEntries(Object.entries(config.Volumes).filter(([t]) => !inheritedAt.has(t))),
      snap.rootfs,
      undo,
    );
    const ownAt = new Set(own.map((m) => m.Destination));
    const mounts = [...own, ...inherited.filter((m) => !ownAt.has(m.Destination))];
    const rec: ContainerRecord = {
      id,
      name,
      created: new Date().toISOString(),
      image: opts.image,
      imageId: image.imageId,
      chainIds: image.chainIds,
      config,
      options: opts,
      mounts,
      logPath: join(dir, 'ctr.log'),
      rootfs: snap.rootfs,
      upperDir: snap.upperDir,
      lowerDirs: [
        ...(snap.initDir ? [snap.initDir] : []),
        ...[...image.chainIds].reverse().map((c) => snapshotter.layerDir(c)),
      ],
      state: {
        status: 'created',
        pid: 0,
        exitCode: 0,
        oomKilled: false,
        error: '',
        startedAt: zeroTime,
        finishedAt: zeroTime,
      },
      restartCount: 0,
      manuallyStopped: false,
    };
    if (config.Healthcheck && config.Healthcheck.test[0] !== 'NONE')
      rec.state.health = { Status: 'starting', FailingStreak: 0, Log: [] };
    await ctx.store.save(rec);
    ctx.events.publish(rec, 'create');
    ctx.log.info({ containerId: id, name }, 'container created');
    return { id, warnings };
  } catch (err) {
    for (const u of undo.reverse()) await u().catch(() => undefined);
    throw err;
  }
}
