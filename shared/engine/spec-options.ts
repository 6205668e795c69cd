// Docker's run options that shape the container's OCI spec beyond its limits: the pid/ipc/uts
// namespace modes, host devices and device cgroup rules, /dev/shm's size, the OOM score and killer,
// the memory reservation, cpusets, GPU requests. One checker each, for the CLI and the agent alike.
import { FlotillaError } from '../errors/index.js';

/** `--device HOST[:CONTAINER[:PERMS]]`: a host device node made in the container. */
export interface DeviceMapping {
  pathOnHost: string;
  pathInContainer: string;
  /** Device cgroup access: some of r, w, m. */
  cgroupPermissions: string;
}

/** `--gpus`: Docker's DeviceRequest (no driver here can satisfy one). */
export interface DeviceRequest {
  driver: string;
  count: number;
  deviceIds?: string[];
  capabilities: string[][];
}

/** The create options this module checks; ContainerCreateOptions extends it. */
export interface RuntimeSpecOptions {
  /** --pid: `host` or `container:NAME`; unset = its own namespace. */
  pidMode?: string;
  /** --ipc: private (@default), shareable, none, host, container:NAME. */
  ipcMode?: string;
  /** --uts: `host`; unset = its own namespace. */
  utsMode?: string;
  /** Size of the /dev/shm tmpfs. @default 64 MiB */
  shmSizeBytes?: number;
  devices?: DeviceMapping[];
  /** `c|b|a MAJOR|*:MINOR|* PERMS` rules added to the device cgroup. */
  deviceCgroupRules?: string[];
  /** Of the container's first process, -1000..1000. @default 0 */
  oomScoreAdj?: number;
  oomKillDisable?: boolean;
  /** memory.soft_limit_in_bytes. */
  memoryReservationBytes?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  /** --gpus: refused, as Docker refuses it without a GPU runtime. */
  deviceRequests?: DeviceRequest[];
}

/** Docker's default /dev/shm size. */
export const DEFAULT_SHM_SIZE_BYTES = 64 * 1024 * 1024;

const invalid = (option: string, value: unknown, reason: string): FlotillaError =>
  new FlotillaError('CONTAINER_OPTION_INVALID', { option, value: String(value), reason });

const namespaceModes: Record<string, string[]> = {
  '--pid': ['host'],
  '--ipc': ['private', 'shareable', 'none', 'host'],
  '--uts': ['host'],
};

/**
 * A namespace mode (`''` = default), checked; `container:NAME` for --pid and --ipc (the donor of
 * --ipc must be `shareable`, checked at start as Docker does: agent/runtime/bundle/shared-ipc.ts).
 */
export function checkNamespaceMode(option: '--pid' | '--ipc' | '--uts', mode: string): string {
  const m = mode.trim();
  if (m === '' || namespaceModes[option].includes(m)) return m;
  const joins = option === '--pid' || option === '--ipc';
  if (joins && /^container:[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(m)) return m;
  const allowed = [...namespaceModes[option], ...(joins ? ['container:NAME'] : [])];
  throw invalid(option, mode, `use ${allowed.join(', ')}`);
}

/** The container a `container:NAME` mode joins, if it is one. */
export function joinedContainer(mode: string | undefined): string | undefined {
  return mode?.startsWith('container:') ? mode.slice('container:'.length) : undefined;
}

/** `/dev/x`, `/dev/x:/dev/y`, `/dev/x:rw` or `/dev/x:/dev/y:rwm` (Docker's parseDevice). */
export function parseDevice(spec: string, option = '--device'): DeviceMapping {
  const parts = spec.split(':');
  let perms = 'rwm';
  let inContainer: string | undefined;
  if (parts.length === 3) [, inContainer, perms] = parts;
  else if (parts.length === 2) {
    if (/^[rwm]+$/.test(parts[1])) perms = parts[1];
    else inContainer = parts[1];
  } else if (parts.length !== 1) throw invalid(option, spec, 'expected HOST[:CONTAINER[:PERMS]]');
  return checkDevice(
    { pathOnHost: parts[0], pathInContainer: inContainer || parts[0], cgroupPermissions: perms },
    option,
  );
}

export function checkDevice(d: DeviceMapping, option = '--device'): DeviceMapping {
  const text = `${d.pathOnHost}:${d.pathInContainer}:${d.cgroupPermissions}`;
  if (!d.pathOnHost.startsWith('/')) throw invalid(option, text, 'the host path must be absolute');
  if (!d.pathInContainer.startsWith('/') || d.pathInContainer.split('/').includes('..'))
    throw invalid(option, text, 'the container path must be absolute, without ..');
  if (
    !/^[rwm]{1,3}$/.test(d.cgroupPermissions) ||
    new Set(d.cgroupPermissions).size !== d.cgroupPermissions.length
  )
    throw invalid(option, text, 'permissions are some of r, w, m');
  return d;
}

export interface DeviceRule {
  type: 'a' | 'b' | 'c';
  /** undefined = any (`*`). */
  major?: number;
  minor?: number;
  access: string;
}

/** `c 1:3 rwm`, `b 7:* rw`, `a *:* m` (Docker's --device-cgroup-rule). */
export function parseDeviceCgroupRule(rule: string, option = '--device-cgroup-rule'): DeviceRule {
  const m = /^([abc]) (\d+|\*):(\d+|\*) ([rwm]{1,3})$/.exec(rule.trim());
  if (!m) throw invalid(option, rule, 'expected TYPE MAJOR:MINOR PERMS, e.g. c 1:3 rwm');
  const num = (s: string) => (s === '*' ? undefined : Number(s));
  return { type: m[1] as DeviceRule['type'], major: num(m[2]), minor: num(m[3]), access: m[4] };
}

export function checkOomScoreAdj(n: number, option = '--oom-score-adj'): number {
  if (!Number.isInteger(n) || n < -1000 || n > 1000)
    throw invalid(option, n, 'the range is [-1000, 1000]');
  return n;
}

/** `0-3`, `0,2`, `1,3-5`: a list of CPU or memory node numbers, as the cpuset cgroup takes it. */
export function parseCpuset(list: string, option: string): number[] {
  const out = new Set<number>();
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    const lo = Number(m?.[1]);
    const hi = m?.[2] === undefined ? lo : Number(m[2]);
    if (!m || hi < lo || hi > 8191)
      throw invalid(option, list, 'expected a list such as 0-3 or 0,2');
    for (let i = lo; i <= hi; i++) out.add(i);
  }
  return [...out];
}

/** `--gpus all|N|device=ID,ID|capabilities=...` → Docker's DeviceRequest. */
export function parseGpus(value: string, option = '--gpus'): DeviceRequest {
  const req: DeviceRequest = { driver: '', count: 0, capabilities: [['gpu']] };
  for (const field of value.replace(/^"|"$/g, '').split(',')) {
    const [k, v] = field.includes('=') ? field.split(/=(.*)/) : ['count', field];
    if (k === 'count' || k === 'gpus')
      req.count = v === 'all' ? -1 : /^\d+$/.test(v) ? Number(v) : NaN;
    else if (k === 'device') req.deviceIds = [...(req.deviceIds ?? []), v];
    else if (k === 'driver') req.driver = v;
    else if (k === 'capabilities') req.capabilities = [[...req.capabilities[0], v]];
    else throw invalid(option, value, `unexpected key "${k}"`);
    if (Number.isNaN(req.count))
      throw invalid(option, value, 'expected all, a count, or device=ID');
  }
  return req;
}

/** Docker's refusal of a device request no driver can satisfy (moby daemon/devices.go). */
export function refuseDeviceRequests(reqs: DeviceRequest[] | undefined): void {
  const r = reqs?.[0];
  if (!r) return;
  throw new FlotillaError('DEVICE_DRIVER_UNAVAILABLE', {
    driver: r.driver,
    capabilities: `[${r.capabilities.map((c) => `[${c.join(' ')}]`).join(' ')}]`,
  });
}

/** Refuses a malformed value or a combination Docker refuses; the host is checked elsewhere. */
export function validateSpecOptions(
  o: RuntimeSpecOptions & { hostname?: string; memoryBytes?: number },
): void {
  checkNamespaceMode('--pid', o.pidMode ?? '');
  checkNamespaceMode('--ipc', o.ipcMode ?? '');
  checkNamespaceMode('--uts', o.utsMode ?? '');
  if (o.utsMode === 'host' && o.hostname)
    throw invalid('--hostname', o.hostname, 'conflicting options: hostname and the UTS mode');
  if (
    o.shmSizeBytes !== undefined &&
    (!Number.isSafeInteger(o.shmSizeBytes) || o.shmSizeBytes <= 0)
  )
    throw invalid('--shm-size', o.shmSizeBytes, 'must be greater than 0');
  for (const d of o.devices ?? []) checkDevice(d);
  for (const r of o.deviceCgroupRules ?? []) parseDeviceCgroupRule(r);
  if (o.oomScoreAdj !== undefined) checkOomScoreAdj(o.oomScoreAdj);
  const res = o.memoryReservationBytes;
  if (res !== undefined && (!Number.isSafeInteger(res) || res < 6 * 1024 * 1024))
    throw invalid('--memory-reservation', res, 'minimum memory reservation allowed is 6MB');
  if (res !== undefined && o.memoryBytes && o.memoryBytes < res)
    throw invalid('--memory-reservation', res, 'must not exceed the --memory limit');
  if (o.cpusetCpus) parseCpuset(o.cpusetCpus, '--cpuset-cpus');
  if (o.cpusetMems) parseCpuset(o.cpusetMems, '--cpuset-mems');
  refuseDeviceRequests(o.deviceRequests);
}
