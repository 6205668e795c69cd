// Docker's `service create` flags → a ServiceSpec with Swarm's defaults. Reusable by `service update`
// (apply the same parsers to an existing spec) and anything else that takes Docker-style flags.
import { randomBytes } from 'node:crypto';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Mount, PortConfig, ServiceSpec } from '../../../shared/model/index.js';
import { defaultServiceSpec } from '../../../shared/model/index.js';
import { parseBytes, parseDurationNs } from '../../../shared/units/index.js';
import { applyNetworkFlags } from './network-flags.js';
import { applyFileCreateFlags, type FileCreateFlags } from './file-flags.js';
import { logDriverFromFlags } from './log-driver-flags.js';

export interface ServiceCreateFlags extends FileCreateFlags {
  name?: string;
  replicas?: string;
  mode?: string;
  env?: string[];
  publish?: string[];
  constraint?: string[];
  placementPref?: string[];
  maxReplicasPerNode?: string;
  reserveCpu?: string;
  reserveMemory?: string;
  limitCpu?: string;
  limitMemory?: string;
  restartCondition?: string;
  restartDelay?: string;
  restartMaxAttempts?: string;
  restartWindow?: string;
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthRetries?: string;
  healthStartPeriod?: string;
  healthcheck?: boolean; // --no-healthcheck sets false
  mount?: string[];
  label?: string[];
  containerLabel?: string[];
  workdir?: string;
  user?: string;
  hostname?: string;
  entrypoint?: string;
  stopSignal?: string;
  stopGracePeriod?: string;
  updateParallelism?: string;
  updateDelay?: string;
  updateFailureAction?: string;
  updateMonitor?: string;
  updateOrder?: string;
  readOnly?: boolean;
  init?: boolean;
  network?: string[];
  endpointMode?: string;
  logDriver?: string;
  logOpt?: string[];
}

export function specFromFlags(image: string, args: string[], f: ServiceCreateFlags): ServiceSpec {
  const name = f.name ?? generatedName(image);
  const spec = defaultServiceSpec(name, image);
  const c = spec.taskTemplate.containerSpec;
  if (args.length) c.args = args;
  if (f.entrypoint) c.command = f.entrypoint.split(/\s+/).filter(Boolean);
  c.env = f.env ?? [];
  c.labels = kvList(f.containerLabel, '--container-label');
  spec.labels = kvList(f.label, '--label');
  if (f.workdir) c.dir = f.workdir;
  if (f.user) c.user = f.user;
  if (f.hostname) c.hostname = f.hostname;
  if (f.stopSignal) c.stopSignal = f.stopSignal;
  if (f.stopGracePeriod)
    c.stopGracePeriodNs = parseDurationNs(f.stopGracePeriod, '--stop-grace-period');
  if (f.readOnly) c.readOnly = true;
  if (f.init) c.init = true;
  const logDriver = logDriverFromFlags(f);
  if (logDriver) c.logDriver = logDriver;
  c.mounts = (f.mount ?? []).map(parseMount);
  applyFileCreateFlags(spec, f);

  const mode = f.mode ?? 'replicated';
  if (mode === 'global') {
    if (f.replicas !== undefined)
      throw bad('--replicas', f.replicas, 'replicas can only be used with replicated mode');
    spec.mode = { global: {} };
  } else if (mode === 'replicated') {
    spec.mode = {
      replicated: { replicas: f.replicas === undefined ? 1 : int(f.replicas, '--replicas') },
    };
  } else throw bad('--mode', mode, 'must be replicated or global');

  spec.endpointSpec.ports = (f.publish ?? []).map(parsePort);
  applyNetworkFlags(spec, f);
  const p = spec.taskTemplate.placement;
  p.constraints = f.constraint ?? [];
  p.preferences = (f.placementPref ?? []).map((s) => {
    const m = /^spread=(.+)$/.exec(s);
    if (!m) throw bad('--placement-pref', s, 'expected spread=node.labels.KEY');
    return { spread: m[1] };
  });
  if (f.maxReplicasPerNode !== undefined)
    p.maxReplicasPerNode = int(f.maxReplicasPerNode, '--max-replicas-per-node');

  const r = spec.taskTemplate.resources;
  if (f.reserveCpu) r.reservations.nanoCpus = cpus(f.reserveCpu, '--reserve-cpu');
  if (f.limitCpu) r.limits.nanoCpus = cpus(f.limitCpu, '--limit-cpu');
  if (f.reserveMemory) r.reservations.memoryBytes = parseBytes(f.reserveMemory, '--reserve-memory');
  if (f.limitMemory) r.limits.memoryBytes = parseBytes(f.limitMemory, '--limit-memory');

  const rp = spec.taskTemplate.restartPolicy;
  if (f.restartCondition) {
    if (!['none', 'on-failure', 'any'].includes(f.restartCondition))
      throw bad('--restart-condition', f.restartCondition, 'must be none, on-failure or any');
    rp.condition = f.restartCondition as typeof rp.condition;
  }
  if (f.restartDelay) rp.delayNs = parseDurationNs(f.restartDelay, '--restart-delay');
  if (f.restartMaxAttempts) rp.maxAttempts = int(f.restartMaxAttempts, '--restart-max-attempts');
  if (f.restartWindow) rp.windowNs = parseDurationNs(f.restartWindow, '--restart-window');

  if (f.healthcheck === false) c.healthcheck = { test: ['NONE'] };
  else if (
    f.healthCmd ||
    f.healthInterval ||
    f.healthTimeout ||
    f.healthRetries ||
    f.healthStartPeriod
  ) {
    c.healthcheck = { test: f.healthCmd ? ['CMD-SHELL', f.healthCmd] : [] };
    if (!f.healthCmd) c.healthcheck.test = ['CMD-SHELL', 'exit 0'];
    if (f.healthInterval)
      c.healthcheck.intervalNs = parseDurationNs(f.healthInterval, '--health-interval');
    if (f.healthTimeout)
      c.healthcheck.timeoutNs = parseDurationNs(f.healthTimeout, '--health-timeout');
    if (f.healthStartPeriod)
      c.healthcheck.startPeriodNs = parseDurationNs(f.healthStartPeriod, '--health-start-period');
    if (f.healthRetries) c.healthcheck.retries = int(f.healthRetries, '--health-retries');
  }

  const u = spec.updateConfig;
  if (f.updateParallelism) u.parallelism = int(f.updateParallelism, '--update-parallelism');
  if (f.updateDelay) u.delayNs = parseDurationNs(f.updateDelay, '--update-delay');
  if (f.updateMonitor) u.monitorNs = parseDurationNs(f.updateMonitor, '--update-monitor');
  if (f.updateFailureAction) {
    if (!['pause', 'continue', 'rollback'].includes(f.updateFailureAction))
      throw bad(
        '--update-failure-action',
        f.updateFailureAction,
        'must be pause, continue or rollback',
      );
    u.failureAction = f.updateFailureAction as typeof u.failureAction;
  }
  if (f.updateOrder) {
    if (!['stop-first', 'start-first'].includes(f.updateOrder))
      throw bad('--update-order', f.updateOrder, 'must be stop-first or start-first');
    u.order = f.updateOrder as typeof u.order;
  }
  return spec;
}

/** -p 8080:80, 8080:80/udp, 80 (published picked by the manager), or the long form
 *  mode=host,target=80,published=8080,protocol=udp. Docker's default mode is ingress. */
export function parsePort(s: string): PortConfig {
  if (s.includes('=')) {
    const kv = Object.fromEntries(s.split(',').map((p) => p.split('=', 2) as [string, string]));
    const port: PortConfig = {
      target: portNum(kv.target, '--publish', s),
      protocol: (kv.protocol ?? 'tcp') as PortConfig['protocol'],
      mode: (kv.mode ?? 'ingress') as PortConfig['mode'],
    };
    if (kv.published) port.published = portNum(kv.published, '--publish', s);
    if (!['tcp', 'udp'].includes(port.protocol))
      throw bad('--publish', s, 'protocol must be tcp or udp');
    if (!['ingress', 'host'].includes(port.mode))
      throw bad('--publish', s, 'mode must be ingress or host');
    return port;
  }
  const m = /^(?:(\d+):)?(\d+)(?:\/(tcp|udp))?$/.exec(s);
  if (!m)
    throw bad('--publish', s, 'expected [PUBLISHED:]TARGET[/PROTOCOL] or mode=...,target=...');
  const port: PortConfig = {
    target: portNum(m[2], '--publish', s),
    protocol: (m[3] ?? 'tcp') as PortConfig['protocol'],
    mode: 'ingress',
  };
  if (m[1]) port.published = portNum(m[1], '--publish', s);
  return port;
}

/** --mount type=bind,source=/a,target=/b,readonly | type=volume,... | type=tmpfs,target=/t,tmpfs-size=64m */
export function parseMount(s: string): Mount {
  const m: Mount = { type: 'volume', target: '' };
  for (const part of s.split(',')) {
    const [k, v] = part.split('=', 2);
    switch (k) {
      case 'type':
        if (!['bind', 'volume', 'tmpfs'].includes(v))
          throw bad('--mount', s, 'type must be bind, volume or tmpfs');
        m.type = v as Mount['type'];
        break;
      case 'source':
      case 'src':
        m.source = v;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.target = v;
        break;
      case 'readonly':
      case 'ro':
        m.readOnly = v === undefined || v === 'true' || v === '1';
        break;
      case 'tmpfs-size':
        m.tmpfsSizeBytes = parseBytes(v, '--mount tmpfs-size');
        break;
      case 'volume-nocopy':
        m.noCopy = v === undefined || v === 'true' || v === '1';
        break;
      case 'bind-propagation':
        if (!['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'].includes(v))
          throw bad('--mount', s, 'bind-propagation must be [r]private, [r]shared or [r]slave');
        m.propagation = v as Mount['propagation'];
        break;
      default:
        throw bad('--mount', s, `unknown key ${k}`);
    }
  }
  if (!m.target) throw bad('--mount', s, 'target is required');
  return m;
}

function kvList(items: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of items ?? []) {
    const i = it.indexOf('=');
    if (i === 0) throw bad(flag, it, 'expected KEY=VALUE');
    if (i < 0) out[it] = '';
    else out[it.slice(0, i)] = it.slice(i + 1);
  }
  return out;
}

function int(s: string, flag: string): number {
  if (!/^\d+$/.test(s)) throw bad(flag, s, 'must be a whole number');
  return Number(s);
}

function cpus(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0) throw bad(flag, s, 'must be a number of CPUs, e.g. 0.5');
  return Math.round(n * 1e9);
}

function portNum(s: string | undefined, flag: string, whole: string): number {
  const n = Number(s);
  if (!s || !Number.isInteger(n) || n < 1 || n > 65535) throw bad(flag, whole, 'ports are 1-65535');
  return n;
}

function bad(flag: string, value: string, reason: string): FlotillaError {
  return new FlotillaError('INVALID_FLAG_VALUE', { flag, value, reason });
}

function generatedName(image: string): string {
  const base =
    image
      .split('/')
      .pop()!
      .split(/[:@]/)[0]
      .replace(/[^a-zA-Z0-9_.-]/g, '') || 'service';
  return `${base}-${randomBytes(3).toString('hex')}`;
}
