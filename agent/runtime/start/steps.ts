// The steps of a container start, in the order they must run: fresh run directories, the root
// filesystem, the network, the OCI bundle, conmon + `runc create`, waiting attachers, `runc
// start`, the record. Attachers connect between create and start so no output is lost; the
// record says running only once the process runs.
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttachHub } from '../attach/hub.js';
import { writeContainerFiles } from '../bundle/files.js';
import { hostDevices } from '../bundle/host-devices.js';
import { buildSpec } from '../bundle/spec.js';
import { applySpecOptions, runningPid } from '../bundle/spec-options.js';
import { resolveExtraHosts, withGroupAdd } from '../bundle/runtime-options.js';
import { donorShm, mountShareableShm, unmountShareableShm } from '../bundle/shared-ipc.js';
import { resolveUser } from '../bundle/user.js';
import { DEFAULT_SHM_SIZE_BYTES, joinedContainer } from '../../../shared/engine/index.js';
import { startConmon } from '../conmon/conmon.js';
import type { RuntimeContext } from '../context.js';
import { resolveBinary } from '../runc/runc.js';
import { startErrorFrom } from '../runc/start-error.js';
import type { Supervisor } from '../supervisor.js';
import { portsToPublish } from './published-ports.js';
import type { StartRun, StartStep } from './run.js';

export interface StartHost {
  ctx: RuntimeContext;
  attach: Pick<AttachHub, 'openEarly' | 'connectPending'>;
  supervisor: Pick<Supervisor, 'started'>;
  /** What the agent itself may grant (caps for --privileged, --cap-add ALL), read once. */
  boundingCaps: string[] | undefined;
}

export function startSteps(host: StartHost): StartStep[] {
  const { ctx } = host;
  const { snapshotter, network } = ctx.deps;
  return [
    {
      phase: 'prepareDirs',
      async run(r) {
        // A shareable /dev/shm left mounted by an agent that died would make the rm fail.
        if (r.rec.options.ipcMode === 'shareable') await unmountShareableShm(r.bundle);
        await Promise.all([
          rm(join(ctx.paths.exitDir, r.rec.id), { force: true }),
          freshDir(r.bundle),
          freshDir(r.persist),
        ]);
        r.cleanup.push(() => rm(r.bundle, { recursive: true, force: true }));
        r.cleanup.push(() => rm(r.persist, { recursive: true, force: true }));
        r.early = host.attach.openEarly(r.rec);
      },
    },
    {
      phase: 'rootfs',
      async run({ rec, cleanup }) {
        const snap = await snapshotter.mount(rec.id);
        rec.rootfs = snap.rootfs;
        rec.upperDir = snap.upperDir;
        cleanup.push(() => snapshotter.unmount(rec.id));
      },
    },
    {
      phase: 'network',
      async run(r) {
        const { rec } = r;
        const overlays = rec.options.overlays ?? [];
        // A standalone container on a cluster overlay is plugged as a task is: eth0 on the node's
        // bridge (none on an internal network: no way out), the overlay as eth1.
        const attached = rec.options.clusterAttachmentId
          ? overlays.every((n) => n.internal)
            ? 'none'
            : 'bridge'
          : undefined;
        const mode = attached ?? (rec.options.network || (network ? 'bridge' : 'none'));
        r.hostNetwork = mode === 'host';
        // 'none' with overlays: a task on internal networks only (their interfaces, no way out).
        if (!network || (mode === 'none' && overlays.length === 0) || mode === 'host') {
          rec.network = undefined;
          return;
        }
        rec.network = await network.attach({
          containerId: rec.id,
          mode,
          aliases: rec.options.networkAliases ?? [],
          name: rec.name,
          hostname: rec.config.Hostname,
          ports: portsToPublish(rec.options, rec.config.ExposedPorts),
          ...(overlays.length ? { overlays } : {}),
          dns: rec.options.dns,
          ...(rec.options.ipv4Address ? { ipv4Address: rec.options.ipv4Address } : {}),
          ...(rec.options.extraNetworks?.length
            ? { extraNetworks: rec.options.extraNetworks }
            : {}),
        });
        r.cleanup.push(() => network.detach(rec.id));
        r.netnsPath = rec.network.netnsPath;
      },
    },
    { phase: 'bundle', run: (r) => writeBundle(host, r) },
    {
      phase: 'create',
      async run(r) {
        const { rec } = r;
        const runtime = ctx.runtimeOf(rec);
        r.runtime = runtime;
        await mkdir(runtime.deps.root, { recursive: true, mode: 0o700 });
        r.cleanup.push(() => runtime.delete(rec.id, true));
        try {
          r.started = await startConmon(
            rec.id,
            rec.name,
            {
              conmonBinary: ctx.deps.conmonBinary ?? 'conmon',
              runcBinary:
                runtime === ctx.runc
                  ? (ctx.deps.runcBinary ?? '/usr/sbin/runc')
                  : (resolveBinary(ctx.crun.deps.binary) ?? ctx.crun.deps.binary),
              runcRoot: runtime.deps.root,
              bundle: r.bundle,
              exitDir: ctx.paths.exitDir,
              persistDir: r.persist,
              socketDir: ctx.paths.socketDir,
              logPath: rec.logPath,
              logDriver: rec.options.logDriver === 'none' ? 'none' : 'k8s-file',
              leaveStdinOpen: rec.config.Tty,
            },
            { tty: rec.config.Tty, stdin: rec.config.OpenStdin },
          );
        } catch (err) {
          throw startErrorFrom(rec.name, rec.config.Args[0], err);
        }
        rec.conmon = { pid: r.started.conmonPid, startTime: r.started.conmonStartTime };
      },
    },
    {
      phase: 'attach',
      async run(r) {
        // Attachers waiting on a created container connect before the process runs.
        await r.early?.connect();
        await host.attach.connectPending(r.rec); // attachers that came during the start
      },
    },
    {
      phase: 'start',
      async run(r) {
        await r.runtime!.start(r.rec.id);
      },
    },
    {
      phase: 'record',
      async run({ rec, started, restarting }) {
        rec.state = {
          ...rec.state,
          status: 'running',
          pid: started!.pid,
          exitCode: 0,
          oomKilled: false,
          error: '',
          startedAt: new Date().toISOString(),
          finishedAt: rec.state.finishedAt,
        };
        if (rec.state.health)
          rec.state.health = { Status: 'starting', FailingStreak: 0, Log: rec.state.health.Log };
        rec.manuallyStopped = false;
        rec.restartAt = undefined;
        await ctx.store.save(rec);
        ctx.events.publish(rec, restarting ? 'restart' : 'start');
        host.supervisor.started(rec);
      },
    },
  ];
}

async function freshDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** The host tmpfs for /dev/shm of a shareable container (mounted here) or of an IPC joiner's donor. */
async function shmSource(host: StartHost, r: StartRun): Promise<string | undefined> {
  const mode = r.rec.options.ipcMode;
  const donor = joinedContainer(mode);
  if (donor) return donorShm(host.ctx.store, donor, (id) => host.ctx.bundleDir(id));
  if (mode !== 'shareable') return undefined;
  r.cleanup.push(() => unmountShareableShm(r.bundle));
  return mountShareableShm(r.bundle, r.rec.options.shmSizeBytes ?? DEFAULT_SHM_SIZE_BYTES);
}

/** /etc files, the OCI config (with tmpfs mounts) in config.json. */
async function writeBundle(host: StartHost, r: StartRun): Promise<void> {
  const { rec } = r;
  const o = rec.options;
  const files = await writeContainerFiles(host.ctx.store.dirOf(rec.id), {
    hostname: rec.config.Hostname,
    ip: rec.network?.ipv4,
    aliases: rec.network?.ipv4 ? o.networkAliases : [],
    dns: resolvConfServers(rec.network, o.dns),
    resolver: { search: o.dnsSearch, options: o.dnsOptions },
    extraHosts: resolveExtraHosts(
      o.extraHosts,
      rec.network?.gateway,
      r.hostNetwork ? 'host' : (rec.network?.networkName ?? 'none'),
    ),
  });
  const user = withGroupAdd(resolveUser(rec.rootfs, rec.config.User), o.groupAdd, rec.rootfs);
  const spec = buildSpec({
    id: rec.id,
    config: rec.config,
    opts: rec.options,
    user,
    rootfs: rec.rootfs,
    netnsPath: r.netnsPath,
    hostNetwork: r.hostNetwork,
    files,
    binds: rec.mounts
      .filter((m) => m.Type !== 'tmpfs')
      .map((m) => ({
        source: m.Source,
        destination: m.Destination,
        readOnly: !m.RW,
        propagation: m.Propagation,
      })),
    initPath: rec.options.init
      ? existsSync('/usr/bin/tini-static')
        ? '/usr/bin/tini-static'
        : '/usr/bin/tini'
      : undefined,
    boundingCaps: host.boundingCaps,
    hostDevices: rec.options.privileged ? hostDevices() : undefined,
  });
  applySpecOptions(
    spec,
    o,
    (ref, option) => runningPid(host.ctx.store, ref, option),
    await shmSource(host, r),
  );
  for (const m of rec.mounts.filter((x) => x.Type === 'tmpfs'))
    (spec.mounts as unknown[]).push({
      destination: m.Destination,
      type: 'tmpfs',
      source: 'tmpfs',
      options: [
        'nosuid',
        'nodev',
        'noexec',
        m.RW ? 'rw' : 'ro',
        ...(m.SizeBytes ? [`size=${m.SizeBytes}`] : []),
      ],
    });
  // 0600: the spec holds the container's environment (docs/design/agent-files.md).
  await writeFile(join(r.bundle, 'config.json'), JSON.stringify(spec), { mode: 0o600 });
}

/**
 * The nameservers of resolv.conf. On a user network the network's DNS stays (it answers container
 * names) and forwards other names to the container's --dns servers, as Docker's embedded DNS does;
 * elsewhere --dns replaces the host's servers.
 */
function resolvConfServers(
  network: { dns: string[]; networkName: string; forwardsDns?: boolean } | undefined,
  dns: string[] | undefined,
): string[] | undefined {
  if (!dns?.length) return network?.dns;
  return network?.forwardsDns ? network.dns : dns;
}
