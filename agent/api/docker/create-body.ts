// Translates Docker's container-create body (Config + HostConfig + NetworkingConfig) into the
// runtime's ContainerCreateOptions. A field that is set but cannot be honoured is refused by name
// (Docker's 400), never dropped: zero values (false, 0, "", null, [], {}) count as unset.
import type { ContainerCreateOptions, MountSpec } from '../../runtime/index.js';
import type { ExtraNetwork } from '../../../shared/engine/index.js';
import type { PortBinding } from '../../../shared/engine/index.js';
import { isSet, refuse } from './body-fields.js';
import { specHostConfigFields, specOptions } from './spec-body.js';
import { ipamAddress, volumesFromField } from './placement-body.js';
import { runtimeHostConfigFields, runtimeOptions } from './runtime-body.js';

export { isSet, refuse };

type Doc = Record<string, unknown>;

/** Config fields translated below, or meaningful only to the client (attach flags). */
const configFields = new Set([
  'Image',
  'Cmd',
  'Entrypoint',
  'Env',
  'Labels',
  'WorkingDir',
  'User',
  'Tty',
  'OpenStdin',
  'ExposedPorts',
  'Hostname',
  'StopSignal',
  'StopTimeout',
  'Healthcheck',
  'Volumes',
  'AttachStdin',
  'AttachStdout',
  'AttachStderr',
  'StdinOnce',
  'HostConfig',
  'NetworkingConfig',
]);
const hostConfigFields = new Set([
  'PortBindings',
  'PublishAllPorts',
  'Binds',
  'Mounts',
  'Memory',
  'MemorySwap',
  'NanoCpus',
  'CpuShares',
  'PidsLimit',
  'CapAdd',
  'CapDrop',
  'Privileged',
  'ReadonlyRootfs',
  'RestartPolicy',
  'AutoRemove',
  'NetworkMode',
  'Init',
  'SecurityOpt',
  'Tmpfs',
  'Ulimits',
  'LogConfig',
  'Runtime',
  'VolumesFrom',
  // The client's terminal size: the client resizes the tty right after attaching.
  'ConsoleSize',
  ...specHostConfigFields,
  ...runtimeHostConfigFields,
]);

function strings(field: string, v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    refuse(field, 'must be a list of strings');
  return v as string[];
}

function portKey(field: string, key: string): { port: number; protocol: 'tcp' | 'udp' } {
  const m = /^(\d{1,5})(?:\/(tcp|udp))?$/.exec(key);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535)
    refuse(`${field} ${JSON.stringify(key)}`, 'is not a valid port (use PORT/tcp or PORT/udp)');
  return { port: Number(m[1]), protocol: (m[2] ?? 'tcp') as 'tcp' | 'udp' };
}

function portBindings(v: unknown): PortBinding[] | undefined {
  if (!isSet(v)) return undefined;
  const out: PortBinding[] = [];
  for (const [key, binds] of Object.entries(v as Doc)) {
    const { port, protocol } = portKey('HostConfig.PortBindings', key);
    for (const b of (binds as { HostIp?: string; HostPort?: string }[] | null) ?? [{}]) {
      const hostPort = b.HostPort ? Number(b.HostPort) : 0;
      if (!Number.isInteger(hostPort) || hostPort < 0 || hostPort > 65535)
        refuse(
          `HostConfig.PortBindings ${key} HostPort ${JSON.stringify(b.HostPort)}`,
          'is not a port (ranges are not supported)',
        );
      out.push({ hostIp: b.HostIp ?? '', hostPort, containerPort: port, protocol });
    }
  }
  return out;
}

function binds(v: unknown): MountSpec[] {
  return (strings('HostConfig.Binds', v) ?? []).map((b) => {
    const [source, target, mode = ''] = b.split(':');
    if (!source || !target)
      refuse(`HostConfig.Binds ${JSON.stringify(b)}`, 'must be SOURCE:TARGET[:ro]');
    const opts = mode.split(',').filter(Boolean);
    for (const o of opts)
      if (o !== 'ro' && o !== 'rw') refuse(`HostConfig.Binds ${JSON.stringify(b)} option ${o}`);
    const readOnly = opts.includes('ro');
    return source.startsWith('/')
      ? { type: 'bind', source, target, readOnly, createHostPath: true }
      : { type: 'volume', source, target, readOnly };
  });
}

/** Config.Volumes (`-v /path`): an anonymous volume each. */
function anonymous(v: unknown): MountSpec[] {
  return Object.keys((v ?? {}) as Doc).map((target) => ({ type: 'volume', target }));
}

function mounts(v: unknown): MountSpec[] {
  if (!isSet(v)) return [];
  return (v as Doc[]).map((m, i) => {
    const f = `HostConfig.Mounts[${i}]`;
    for (const k of Object.keys(m))
      if (!['Type', 'Source', 'Target', 'ReadOnly', 'TmpfsOptions'].includes(k) && isSet(m[k]))
        refuse(`${f}.${k}`);
    const type = m.Type as string;
    if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs')
      refuse(`${f}.Type ${JSON.stringify(type)}`);
    const tmpfs = m.TmpfsOptions as { SizeBytes?: number; Mode?: number } | undefined;
    if (tmpfs?.Mode) refuse(`${f}.TmpfsOptions.Mode`);
    return {
      type,
      source: (m.Source as string) || undefined,
      target: m.Target as string,
      readOnly: Boolean(m.ReadOnly),
      ...(tmpfs?.SizeBytes ? { tmpfsSizeBytes: tmpfs.SizeBytes } : {}),
    };
  });
}

type Networks = {
  network?: string;
  aliases?: string[];
  ipv4Address?: string;
  extraNetworks?: ExtraNetwork[];
};

/**
 * NetworkMode and EndpointsConfig: the entry of NetworkMode's network gives its aliases and
 * address; every other entry (API ≥ 1.44, `--network a --network b`) is a further network.
 */
function network(hc: Doc, nc: Doc | undefined): Networks {
  const mode = (hc.NetworkMode as string | undefined) || 'default';
  if (/^(container|service):/.test(mode)) refuse(`HostConfig.NetworkMode ${mode}`);
  const endpoints = (nc?.EndpointsConfig ?? {}) as Record<string, Doc>;
  const out: Networks = { network: mode === 'default' ? undefined : mode };
  const extra: ExtraNetwork[] = [];
  let ownEntry = false;
  for (const [name, ep] of Object.entries(endpoints)) {
    for (const k of Object.keys(ep ?? {}))
      if (!['Aliases', 'NetworkID', 'DriverOpts', 'IPAMConfig'].includes(k) && isSet(ep[k]))
        refuse(`NetworkingConfig.EndpointsConfig.${name}.${k}`);
    const aliases = strings(`NetworkingConfig.EndpointsConfig.${name}.Aliases`, ep?.Aliases);
    const ipv4Address = ipamAddress(name, ep);
    if (name === mode || (mode === 'default' && name === 'bridge')) {
      ownEntry = true;
      out.aliases = aliases;
      out.ipv4Address = ipv4Address;
    } else
      extra.push({
        network: name,
        ...(aliases?.length ? { aliases } : {}),
        ...(ipv4Address ? { ipv4Address } : {}),
      });
  }
  // Further networks come beside NetworkMode's own entry (the docker CLI sends one for each).
  if (extra.length && !ownEntry)
    refuse(
      `NetworkingConfig.EndpointsConfig.${extra[0].network}`,
      `does not match HostConfig.NetworkMode ${mode}`,
    );
  if (extra.length) out.extraNetworks = extra;
  return out;
}

export function createOptions(body: Doc, name?: string, platform?: string): ContainerCreateOptions {
  for (const k of Object.keys(body)) if (!configFields.has(k) && isSet(body[k])) refuse(k);
  const hc = (body.HostConfig ?? {}) as Doc;
  for (const k of Object.keys(hc))
    if (!hostConfigFields.has(k) && isSet(hc[k], k)) refuse(`HostConfig.${k}`);
  if (typeof body.Image !== 'string' || body.Image === '') refuse('Image', 'is required');
  const log = (hc.LogConfig ?? {}) as { Type?: string; Config?: Record<string, string> };
  const rp = hc.RestartPolicy as { Name?: string; MaximumRetryCount?: number } | undefined;
  const {
    network: net,
    aliases,
    ipv4Address,
    extraNetworks,
  } = network(hc, body.NetworkingConfig as Doc | undefined);
  const expose = Object.keys((body.ExposedPorts ?? {}) as Doc).map((k) => {
    const p = portKey('ExposedPorts', k);
    return `${p.port}/${p.protocol}`;
  });
  const hcheck = body.Healthcheck as
    | {
        Test?: string[];
        Interval?: number;
        Timeout?: number;
        StartPeriod?: number;
        StartInterval?: number;
        Retries?: number;
      }
    | undefined;
  const opts: ContainerCreateOptions = {
    image: body.Image,
    name: name || undefined,
    platform: platform || undefined,
    cmd: strings('Cmd', body.Cmd),
    entrypoint: strings('Entrypoint', body.Entrypoint),
    env: strings('Env', body.Env),
    labels: (body.Labels as Record<string, string> | undefined) ?? undefined,
    workingDir: (body.WorkingDir as string) || undefined,
    user: (body.User as string) || undefined,
    hostname: (body.Hostname as string) || undefined,
    tty: Boolean(body.Tty),
    openStdin: Boolean(body.OpenStdin),
    stopSignal: (body.StopSignal as string) || undefined,
    stopTimeoutSec: typeof body.StopTimeout === 'number' ? body.StopTimeout : undefined,
    expose: expose.length ? expose : undefined,
    ports: portBindings(hc.PortBindings),
    publishAll: Boolean(hc.PublishAllPorts),
    mounts: [...anonymous(body.Volumes), ...binds(hc.Binds), ...mounts(hc.Mounts)],
    memoryBytes: (hc.Memory as number) || undefined,
    memorySwapBytes: (hc.MemorySwap as number) || undefined,
    nanoCpus: (hc.NanoCpus as number) || undefined,
    cpuShares: (hc.CpuShares as number) || undefined,
    pidsLimit: (hc.PidsLimit as number) > 0 ? (hc.PidsLimit as number) : undefined,
    capAdd: strings('HostConfig.CapAdd', hc.CapAdd),
    capDrop: strings('HostConfig.CapDrop', hc.CapDrop),
    privileged: Boolean(hc.Privileged),
    readOnlyRootfs: Boolean(hc.ReadonlyRootfs),
    securityOpt: strings('HostConfig.SecurityOpt', hc.SecurityOpt),
    tmpfs: isSet(hc.Tmpfs) ? (hc.Tmpfs as Record<string, string>) : undefined,
    ulimits: isSet(hc.Ulimits)
      ? (hc.Ulimits as { Name: string; Soft: number; Hard: number }[]).map((u) => ({
          name: u.Name,
          soft: u.Soft,
          hard: u.Hard,
        }))
      : undefined,
    restartPolicy:
      rp?.Name && rp.Name !== 'no'
        ? { name: rp.Name as 'always', maxRetries: rp.MaximumRetryCount || undefined }
        : undefined,
    autoRemove: Boolean(hc.AutoRemove),
    network: net,
    networkAliases: aliases,
    ipv4Address,
    extraNetworks,
    volumesFrom: volumesFromField(hc.VolumesFrom),
    init: typeof hc.Init === 'boolean' ? hc.Init : undefined,
    runtime: (hc.Runtime as string) || undefined,
    // The runtime checks the driver and its options as for `flotilla run --log-driver`.
    logDriver: log.Type || undefined,
    logOpts: isSet(log.Config) ? log.Config : undefined,
    noHealthcheck: hcheck?.Test?.[0] === 'NONE' || undefined,
    healthcheck:
      hcheck?.Test?.length && hcheck.Test[0] !== 'NONE'
        ? {
            test: hcheck.Test,
            intervalMs: hcheck.Interval ? hcheck.Interval / 1e6 : undefined,
            timeoutMs: hcheck.Timeout ? hcheck.Timeout / 1e6 : undefined,
            startPeriodMs: hcheck.StartPeriod ? hcheck.StartPeriod / 1e6 : undefined,
            startIntervalMs: hcheck.StartInterval ? hcheck.StartInterval / 1e6 : undefined,
            retries: hcheck.Retries || undefined,
          }
        : undefined,
    ...specOptions(hc),
    ...runtimeOptions(hc),
  };
  if (!opts.mounts?.length) delete opts.mounts;
  return Object.fromEntries(
    Object.entries(opts).filter(([, v]) => v !== undefined),
  ) as unknown as ContainerCreateOptions;
}
