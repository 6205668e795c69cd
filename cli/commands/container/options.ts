// Docker's `create`/`run` flags and their translation into ContainerCreateOptions.
import { Option, type Command } from 'commander';
import { FlotillaError } from '../../../shared/errors/index.js';
import { parseBytes, parseDurationMs } from '../../../shared/units/index.js';
import type { ContainerCreateOptions, MountSpec } from '../../../shared/engine/index.js';
import type { PortBinding } from '../../../shared/engine/index.js';
import { parseLogOptFlags, validateLogDriver } from '../../../shared/engine/index.js';
import { collect } from '../../repeatable.js';
import { invalidFlagValue, readFlagFile } from './flag-file.js';
import { addResourceRunFlags, resourceRunOptions } from './resource-flags.js';
import { addRuntimeRunFlags, runtimeRunOptions } from './runtime-flags.js';
import { addPlacementFlags, placementOptions } from './placement-flags.js';

export function addCreateFlags(cmd: Command): Command {
  return addPlacementFlags(addResourceRunFlags(addRuntimeRunFlags(cmd)))
    .option('--name <name>', 'assign a name to the container')
    .option('-i, --interactive', 'keep STDIN open even if not attached')
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('-e, --env <K=V>', 'set environment variables', collect)
    .option('--env-file <file>', 'read in a file of environment variables', collect)
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-u, --user <user>', 'username or UID (format: <name|uid>[:<group|gid>])')
    .option('--entrypoint <cmd>', 'overwrite the default ENTRYPOINT of the image')
    .option('-h, --hostname <name>', 'container host name')
    .option('-l, --label <K=V>', 'set metadata on a container', collect)
    .option('--rm', 'automatically remove the container when it exits')
    .option('--restart <policy>', 'restart policy: no, on-failure[:max], always, unless-stopped')
    .option('--stop-signal <signal>', 'signal to stop the container')
    .option('--stop-timeout <seconds>', 'timeout (in seconds) to stop a container')
    .option('-p, --publish <spec>', "publish a container's port(s) to the host", collect)
    .option('-P, --publish-all', 'publish all exposed ports to random ports')
    .option('--expose <port>', 'expose a port or a range of ports (80, 53/udp, 8000-8010)', collect)
    .option('-v, --volume <spec>', 'bind mount a volume', collect)
    .option('--mount <spec>', 'attach a filesystem mount to the container', collect)
    .option('--tmpfs <spec>', 'mount a tmpfs directory', collect)
    .option('--network <mode>', 'connect a container to a network (bridge, host, none, NAME)')
    .option('--network-alias <alias>', 'add network-scoped alias', collect)
    .option('-m, --memory <bytes>', 'memory limit')
    .option('--memory-swap <bytes>', "swap limit equal to memory plus swap: '-1' for unlimited")
    .option('--cpus <n>', 'number of CPUs')
    .option('-c, --cpu-shares <n>', 'CPU shares (relative weight)')
    .option('--pids-limit <n>', 'tune container pids limit (-1 for unlimited)')
    .option('--cap-add <cap>', 'add Linux capabilities', collect)
    .option('--cap-drop <cap>', 'drop Linux capabilities', collect)
    .option('--privileged', 'give extended privileges to this container')
    .option('--security-opt <opt>', 'security options', collect)
    .option('--read-only', "mount the container's root filesystem as read only")
    .option('--ulimit <spec>', 'ulimit options', collect)
    .option('--init', 'run an init inside the container that forwards signals and reaps processes')
    .option('--health-cmd <cmd>', 'command to run to check health')
    .option('--health-interval <d>', 'time between running the check')
    .option('--health-timeout <d>', 'maximum time to allow one check to run')
    .option('--health-start-period <d>', 'start period for the container to initialize')
    .option('--health-retries <n>', 'consecutive failures needed to report unhealthy')
    .option('--no-healthcheck', 'disable any container-specified HEALTHCHECK')
    .option('--pull <policy>', 'pull image before running: always, missing, never', 'missing')
    .option(
      '--runtime <name>',
      "OCI runtime: runc, or crun on a cgroup v2 host (default: the agent's)",
    )
    .option('--log-driver <driver>', 'logging driver: json-file, local, journald, syslog, none')
    .option('--log-opt <K=V>', 'log driver options', collect)
    .addOption(
      new Option('--detach-keys <keys>', 'override the key sequence for detaching').hideHelp(),
    );
}

export type CreateFlags = Record<string, unknown> & {
  env?: string[];
  envFile?: string[];
  label?: string[];
  publish?: string[];
  volume?: string[];
  mount?: string[];
  tmpfs?: string[];
  ulimit?: string[];
  expose?: string[];
};

export function parsePublish(spec: string): PortBinding {
  const [main, proto = 'tcp'] = spec.split('/');
  if (proto !== 'tcp' && proto !== 'udp')
    throw invalidFlagValue('--publish', spec, 'protocol must be tcp or udp');
  const parts = main.split(':');
  let hostIp = '';
  let hostPort = '0';
  let ctr: string;
  if (parts.length === 1) ctr = parts[0];
  else if (parts.length === 2) [hostPort, ctr] = parts;
  else
    [hostIp, hostPort, ctr] = [
      parts.slice(0, -2).join(':'),
      parts[parts.length - 2],
      parts[parts.length - 1],
    ];
  const c = Number(ctr);
  const h = hostPort === '' ? 0 : Number(hostPort);
  if (!Number.isInteger(c) || c < 1 || c > 65535 || !Number.isInteger(h) || h < 0 || h > 65535)
    throw invalidFlagValue('--publish', spec, 'expected [ip:][hostPort:]containerPort[/proto]');
  return { hostIp, hostPort: h, containerPort: c, protocol: proto };
}

/** `--expose PORT[-PORT][/tcp|udp]` → the ExposedPorts keys it adds (`80/tcp`, …). */
export function parseExpose(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp))?$/.exec(spec.trim());
  const lo = Number(m?.[1]);
  const hi = m?.[2] === undefined ? lo : Number(m[2]);
  if (!m || lo < 1 || hi > 65535 || hi < lo)
    throw invalidFlagValue(
      '--expose',
      spec,
      'expected PORT[-PORT][/tcp|udp] with ports in 1-65535',
    );
  if (hi - lo >= 1024)
    throw invalidFlagValue('--expose', spec, 'a range may expose at most 1024 ports');
  const proto = m[3] ?? 'tcp';
  return Array.from({ length: hi - lo + 1 }, (_, i) => `${lo + i}/${proto}`);
}

export function parseVolume(spec: string): MountSpec {
  const parts = spec.split(':');
  const ro =
    parts.length > 1 && /^(ro|rw)(,.*)?$/.test(parts[parts.length - 1]) && parts.length >= 2
      ? parts.pop()
      : undefined;
  if (parts.length === 1)
    return { type: 'volume', target: parts[0], readOnly: ro?.startsWith('ro') };
  if (parts.length !== 2)
    throw new FlotillaError('MOUNT_INVALID', { spec, reason: 'expected SRC:DST[:ro]' });
  const [src, target] = parts;
  return src.startsWith('/') || src.startsWith('.')
    ? { type: 'bind', source: src, target, readOnly: ro?.startsWith('ro'), createHostPath: true }
    : { type: 'volume', source: src, target, readOnly: ro?.startsWith('ro') };
}

export function parseMount(spec: string): MountSpec {
  const kv: Record<string, string> = {};
  for (const f of spec.split(',')) {
    const [k, v = 'true'] = f.split('=');
    kv[k.trim()] = v;
  }
  const type = (kv.type ?? 'volume') as MountSpec['type'];
  const target = kv.target ?? kv.dst ?? kv.destination;
  if (!target) throw new FlotillaError('MOUNT_INVALID', { spec, reason: 'target is required' });
  if (!['bind', 'volume', 'tmpfs'].includes(type))
    throw new FlotillaError('MOUNT_INVALID', {
      spec,
      reason: 'type must be bind, volume or tmpfs',
    });
  return {
    type,
    source: kv.source ?? kv.src,
    target,
    readOnly:
      kv.readonly === 'true' || kv.ro === 'true' || ('readonly' in kv && kv.readonly !== 'false'),
    tmpfsSizeBytes: kv['tmpfs-size']
      ? parseBytes(kv['tmpfs-size'], '--mount tmpfs-size')
      : undefined,
  };
}

export function parseEnvFile(file: string): string[] {
  const text = readFlagFile('--env-file', file);
  // A bare NAME passes the caller's value through; Docker drops it when the caller has none.
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .filter((l) => l.includes('=') || process.env[l] !== undefined)
    .map((l) => (l.includes('=') ? l : `${l}=${process.env[l]}`));
}

function num(flag: string, v: unknown, float = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (!float && !Number.isInteger(n)))
    throw invalidFlagValue(flag, String(v), 'not a number');
  return n;
}

export function toCreateOptions(
  image: string,
  args: string[],
  f: CreateFlags,
): ContainerCreateOptions {
  const { fileLabels, startIntervalMs, ...placed } = placementOptions(f);
  const labels: Record<string, string> = { ...fileLabels };
  for (const l of f.label ?? []) {
    const i = l.indexOf('=');
    labels[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
  }
  const env = [
    ...(f.envFile ?? []).flatMap(parseEnvFile),
    ...(f.env ?? []).map((e) => (e.includes('=') ? e : `${e}=${process.env[e] ?? ''}`)),
  ];
  let restartPolicy: ContainerCreateOptions['restartPolicy'];
  if (f.restart) {
    const [name, max] = String(f.restart).split(':');
    if (!['no', 'on-failure', 'always', 'unless-stopped'].includes(name))
      throw invalidFlagValue(
        '--restart',
        String(f.restart),
        'use no, on-failure[:max], always or unless-stopped',
      );
    restartPolicy = { name: name as 'no', maxRetries: max ? num('--restart', max) : undefined };
  }
  const tmpfs: Record<string, string> = {};
  for (const t of f.tmpfs ?? []) {
    const [dst, opts = ''] = t.split(/:(.*)/);
    tmpfs[dst] = opts;
  }
  let memoryBytes: number | undefined;
  if (f.memory !== undefined) memoryBytes = parseBytes(String(f.memory), '--memory');
  let memorySwapBytes: number | undefined;
  if (f.memorySwap !== undefined)
    memorySwapBytes =
      String(f.memorySwap) === '-1' ? -1 : parseBytes(String(f.memorySwap), '--memory-swap');
  let nanoCpus: number | undefined;
  if (f.cpus !== undefined) {
    const c = Number(f.cpus);
    if (!Number.isFinite(c) || c <= 0)
      throw invalidFlagValue('--cpus', String(f.cpus), 'must be a positive number');
    nanoCpus = Math.round(c * 1e9);
  }
  const healthcheck =
    f.healthCmd ||
    f.healthInterval ||
    f.healthTimeout ||
    f.healthStartPeriod ||
    f.healthRetries ||
    startIntervalMs
      ? {
          test: f.healthCmd ? ['CMD-SHELL', String(f.healthCmd)] : [],
          intervalMs: f.healthInterval
            ? parseDurationMs(String(f.healthInterval), '--health-interval')
            : undefined,
          timeoutMs: f.healthTimeout
            ? parseDurationMs(String(f.healthTimeout), '--health-timeout')
            : undefined,
          startPeriodMs: f.healthStartPeriod
            ? parseDurationMs(String(f.healthStartPeriod), '--health-start-period')
            : undefined,
          retries: num('--health-retries', f.healthRetries),
          startIntervalMs,
        }
      : undefined;
  const logOpts = parseLogOptFlags(f.logOpt as string[] | undefined);
  // Without --log-driver the options belong to the agent's default driver: it checks them.
  if (f.logDriver !== undefined) validateLogDriver(String(f.logDriver), logOpts);
  return {
    image,
    name: f.name as string | undefined,
    cmd: args.length ? args : undefined,
    entrypoint:
      f.entrypoint !== undefined ? (String(f.entrypoint) ? [String(f.entrypoint)] : []) : undefined,
    env: env.length ? env : undefined,
    workingDir: f.workdir as string | undefined,
    user: f.user as string | undefined,
    hostname: f.hostname as string | undefined,
    labels,
    tty: Boolean(f.tty),
    openStdin: Boolean(f.interactive),
    autoRemove: Boolean(f.rm),
    runtime: f.runtime as string | undefined,
    restartPolicy,
    stopSignal: f.stopSignal as string | undefined,
    stopTimeoutSec: num('--stop-timeout', f.stopTimeout),
    mounts: [...(f.volume ?? []).map(parseVolume), ...(f.mount ?? []).map(parseMount)],
    network: f.network as string | undefined,
    networkAliases: f.networkAlias as string[] | undefined,
    ports: (f.publish ?? []).map(parsePublish),
    publishAll: Boolean(f.publishAll),
    expose: f.expose?.length ? f.expose.flatMap(parseExpose) : undefined,
    memoryBytes,
    memorySwapBytes,
    nanoCpus,
    cpuShares: num('--cpu-shares', f.cpuShares),
    pidsLimit: num('--pids-limit', f.pidsLimit),
    capAdd: f.capAdd as string[] | undefined,
    capDrop: f.capDrop as string[] | undefined,
    privileged: Boolean(f.privileged),
    securityOpt: f.securityOpt as string[] | undefined,
    readOnlyRootfs: Boolean(f.readOnly),
    tmpfs: Object.keys(tmpfs).length ? tmpfs : undefined,
    ...runtimeRunOptions(f),
    ...resourceRunOptions(f, { hostname: f.hostname as string | undefined, memoryBytes }),
    ...placed,
    init: Boolean(f.init),
    healthcheck,
    noHealthcheck: f.healthcheck === false,
    logDriver: f.logDriver as string | undefined,
    logOpts: Object.keys(logOpts).length ? logOpts : undefined,
  };
}
