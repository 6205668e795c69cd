// Docker-shaped views of a record: `inspect`'s document and `ps`'s summary with its status text.
import { dirname } from 'node:path';
import { specHostConfig } from '../bundle/spec-options.js';
import { driverLogPath } from '../logs/drivers/config.js';
import type { ContainerSummary } from '../types.js';
import { zeroTime, type ContainerRecord } from './record.js';

function logPathOf(r: ContainerRecord): string {
  const driver = r.options.logDriver ?? 'k8s-file';
  if (driver === 'k8s-file') return r.logPath;
  return driverLogPath(driver, dirname(r.logPath), r.id) ?? '';
}

export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  if (m < 60) return m === 1 ? 'About a minute' : `${m} minutes`;
  const h = Math.round(m / 60);
  if (h < 48) return h === 1 ? 'About an hour' : `${h} hours`;
  return `${Math.round(h / 24)} days`;
}

export function statusText(r: ContainerRecord, now = Date.now()): string {
  const s = r.state;
  switch (s.status) {
    case 'running':
    case 'paused': {
      const health = s.health
        ? ` (${s.health.Status === 'starting' ? 'health: starting' : s.health.Status})`
        : '';
      return `Up ${humanDuration(now - Date.parse(s.startedAt))}${s.status === 'paused' ? ' (Paused)' : health}`;
    }
    case 'restarting':
      return `Restarting (${s.exitCode}) ${humanDuration(now - Date.parse(s.finishedAt))} ago`;
    case 'exited':
      return s.finishedAt === zeroTime
        ? 'Created'
        : `Exited (${s.exitCode}) ${humanDuration(now - Date.parse(s.finishedAt))} ago`;
    case 'created':
      return 'Created';
    default:
      return s.status;
  }
}

export function summaryOf(r: ContainerRecord): ContainerSummary {
  return {
    id: r.id,
    name: r.name,
    image: r.image,
    imageId: r.imageId,
    command: r.config.Args.join(' '),
    createdAt: r.created,
    state: r.state.status,
    status: statusText(r),
    ports: r.network?.ports ?? [],
    labels: r.config.Labels,
    health: r.state.health?.Status ?? 'none',
    networks: [r.network?.networkName ?? r.options.network ?? 'bridge'],
    mounts: r.mounts.flatMap((m) => (m.Name ? [m.Name, m.Destination] : [m.Destination])),
    exposed: Object.keys(r.config.ExposedPorts ?? {}),
  };
}

export function inspectDocument(r: ContainerRecord): Record<string, unknown> {
  const s = r.state;
  const o = r.options;
  const ports: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const p of r.network?.ports ?? []) {
    const k = `${p.containerPort}/${p.protocol}`;
    (ports[k] ??= []).push({ HostIp: p.hostIp || '0.0.0.0', HostPort: String(p.hostPort) });
  }
  return {
    Id: r.id,
    Created: r.created,
    Path: r.config.Args[0],
    Args: r.config.Args.slice(1),
    State: {
      Status: s.status,
      Running: s.status === 'running' || s.status === 'paused',
      Paused: s.status === 'paused',
      Restarting: s.status === 'restarting',
      OOMKilled: s.oomKilled,
      Dead: s.status === 'dead',
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: s.startedAt,
      FinishedAt: s.finishedAt,
      ...(s.health ? { Health: s.health } : {}),
    },
    Image: r.imageId,
    ResolvConfPath: `${r.logPath.replace(/ctr\.log$/, '')}resolv.conf`,
    HostnamePath: `${r.logPath.replace(/ctr\.log$/, '')}hostname`,
    HostsPath: `${r.logPath.replace(/ctr\.log$/, '')}hosts`,
    // Docker's: the json-file's path, empty for drivers without a file it names.
    LogPath: logPathOf(r),
    Name: `/${r.name}`,
    RestartCount: r.restartCount,
    Driver: 'overlay',
    // Docker's names: `commit`/`export` (agent/image/build) read UpperDir and MergedDir.
    GraphDriver: {
      Name: 'overlay',
      Data: r.upperDir
        ? {
            LowerDir: (r.lowerDirs ?? []).join(':'),
            MergedDir: r.rootfs,
            UpperDir: r.upperDir,
            WorkDir: r.upperDir.replace(/upper$/, 'work'),
          }
        : null,
    },
    Platform: 'linux',
    HostConfig: {
      Runtime: o.runtime ?? 'runc',
      LogConfig: { Type: o.logDriver ?? 'k8s-file', Config: o.logOpts ?? {} },
      Binds: (o.mounts ?? [])
        .filter((m) => m.type === 'bind')
        .map((m) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`),
      NetworkMode: o.network || (r.network ? r.network.networkName : 'none'),
      PortBindings: Object.fromEntries(
        (o.ports ?? []).map((p) => [
          `${p.containerPort}/${p.protocol}`,
          [{ HostIp: p.hostIp, HostPort: p.hostPort ? String(p.hostPort) : '' }],
        ]),
      ),
      RestartPolicy: {
        Name: o.restartPolicy?.name ?? 'no',
        MaximumRetryCount: o.restartPolicy?.maxRetries ?? 0,
      },
      AutoRemove: Boolean(o.autoRemove),
      CapAdd: o.capAdd ?? null,
      CapDrop: o.capDrop ?? null,
      Privileged: Boolean(o.privileged),
      ReadonlyRootfs: Boolean(o.readOnlyRootfs),
      SecurityOpt: o.securityOpt ?? null,
      Tmpfs: o.tmpfs ?? null,
      Memory: o.memoryBytes ?? 0,
      MemorySwap: o.memorySwapBytes ?? (o.memoryBytes ? o.memoryBytes * 2 : 0),
      NanoCpus: o.nanoCpus ?? 0,
      CpuShares: o.cpuShares ?? 0,
      PidsLimit: o.pidsLimit ?? null,
      Ulimits: o.ulimits?.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })) ?? null,
      Init: o.init ?? null,
      PublishAllPorts: Boolean(o.publishAll),
      ...specHostConfig(o),
      VolumesFrom: o.volumesFrom ?? null,
    },
    Mounts: r.mounts.map((m) => ({
      Type: m.Type,
      ...(m.Name ? { Name: m.Name } : {}),
      Source: m.Source,
      Destination: m.Destination,
      Mode: m.RW ? '' : 'ro',
      RW: m.RW,
      Propagation: m.Type === 'bind' ? 'rprivate' : '',
    })),
    Config: {
      Hostname: r.config.Hostname,
      User: r.config.User,
      Tty: r.config.Tty,
      OpenStdin: r.config.OpenStdin,
      Env: r.config.Env,
      Cmd: r.config.Cmd,
      Entrypoint: r.config.Entrypoint,
      Image: r.image,
      WorkingDir: r.config.WorkingDir,
      Labels: r.config.Labels,
      StopSignal: r.config.StopSignal,
      StopTimeout: r.config.StopTimeout,
      ExposedPorts: r.config.ExposedPorts,
      Volumes: r.config.Volumes,
      ...(r.config.Healthcheck
        ? {
            Healthcheck: {
              Test: r.config.Healthcheck.test,
              Interval: (r.config.Healthcheck.intervalMs ?? 0) * 1e6,
              Timeout: (r.config.Healthcheck.timeoutMs ?? 0) * 1e6,
              StartPeriod: (r.config.Healthcheck.startPeriodMs ?? 0) * 1e6,
              StartInterval: (r.config.Healthcheck.startIntervalMs ?? 0) * 1e6,
              Retries: r.config.Healthcheck.retries ?? 0,
            },
          }
        : {}),
    },
    NetworkSettings: {
      IPAddress: r.network?.ipv4 ?? '',
      Gateway: r.network?.gateway ?? '',
      Ports: ports,
      SandboxKey: r.network?.netnsPath ?? '',
      Networks: r.network
        ? {
            [r.network.networkName]: {
              IPAMConfig: o.ipv4Address ? { IPv4Address: o.ipv4Address } : null,
              IPAddress: r.network.ipv4 ?? '',
              Gateway: r.network.gateway ?? '',
            },
            ...Object.fromEntries(
              (r.network.others ?? []).map((x) => {
                const asked = o.extraNetworks?.find((n) => n.network === x.networkName);
                return [
                  x.networkName,
                  {
                    IPAMConfig: asked?.ipv4Address ? { IPv4Address: asked.ipv4Address } : null,
                    Aliases: x.aliases.length ? x.aliases : null,
                    IPAddress: x.ipv4,
                    Gateway: x.gateway ?? '',
                  },
                ];
              }),
            ),
          }
        : {},
    },
  };
}
