// The create options that reshape the OCI spec buildSpec made (shared/engine/spec-options.ts):
// shared namespaces, /dev/shm, host devices and device cgroup rules, the OOM score and killer, the
// memory reservation, cpusets. Checked against this host at create; applied at each start.
import { existsSync, readFileSync, statSync } from 'node:fs';
import {
  DEFAULT_SHM_SIZE_BYTES,
  joinedContainer,
  parseCpuset,
  parseDeviceCgroupRule,
  type DeviceMapping,
} from '../../../shared/engine/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { ContainerCreateOptions } from '../types.js';
import { ociDevice, type OciDevice } from './host-devices.js';

const invalid = (option: string, value: unknown, reason: string): FlotillaError =>
  new FlotillaError('CONTAINER_OPTION_INVALID', { option, value: String(value), reason });

/** What this host offers, read from /sys; tests pass their own. */
export interface SpecHost {
  cpus: number[];
  mems: number[];
  /** Whether memory.oom_control exists (cgroup v1's memory controller). */
  oomControl: boolean;
}

function readList(paths: string[]): number[] {
  for (const p of paths)
    try {
      const text = readFileSync(p, 'utf8').trim();
      if (text) return parseCpuset(text, p);
    } catch {
      // try the next source
    }
  return [0];
}

export function readSpecHost(): SpecHost {
  return {
    cpus: readList(['/sys/fs/cgroup/cpuset/cpuset.cpus', '/sys/devices/system/cpu/online']),
    mems: readList(['/sys/fs/cgroup/cpuset/cpuset.mems', '/sys/devices/system/node/online']),
    oomControl: existsSync('/sys/fs/cgroup/memory/memory.oom_control'),
  };
}

/** The host's device node of a --device mapping, made at the container's path. */
export function deviceNode(d: DeviceMapping): OciDevice {
  let st;
  try {
    st = statSync(d.pathOnHost, { bigint: true });
  } catch (err) {
    throw invalid(
      '--device',
      d.pathOnHost,
      `error gathering device information: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  if (!st.isCharacterDevice() && !st.isBlockDevice())
    throw invalid('--device', d.pathOnHost, 'not a character or block device');
  return ociDevice(d.pathInContainer, st);
}

/**
 * Refuses what this host cannot give (a missing device, CPUs or memory nodes it lacks) and returns
 * Docker's warnings. An OOM killer that cannot be disabled (no cgroup v1 memory controller) is
 * dropped with a warning, as dockerd does.
 */
export function checkSpecOptionsOnHost(
  o: ContainerCreateOptions,
  host: SpecHost = readSpecHost(),
): { opts: ContainerCreateOptions; warnings: string[] } {
  const warnings: string[] = [];
  for (const d of o.devices ?? []) deviceNode(d);
  for (const [flag, list, have] of [
    ['--cpuset-cpus', o.cpusetCpus, host.cpus],
    ['--cpuset-mems', o.cpusetMems, host.mems],
  ] as const) {
    if (!list) continue;
    const missing = parseCpuset(list, flag).filter((n) => !have.includes(n));
    if (missing.length)
      throw invalid(flag, list, `not available on this host (available: ${have.join(',')})`);
  }
  let opts = o;
  if (o.oomKillDisable && !host.oomControl) {
    warnings.push('Your kernel does not support OomKillDisable. OomKillDisable discarded.');
    opts = { ...o, oomKillDisable: undefined };
  } else if (o.oomKillDisable && !o.memoryBytes)
    warnings.push(
      'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
    );
  return { opts, warnings };
}

interface Spec {
  hostname?: string;
  process: Record<string, unknown>;
  mounts: { destination: string; type: string; source: string; options: string[] }[];
  linux: {
    namespaces: { type: string; path?: string }[];
    resources: Record<string, unknown> & { devices: Record<string, unknown>[] };
    devices?: OciDevice[];
  };
}

/** The running container whose namespace a `container:NAME` mode joins: its first process. */
export type JoinTarget = (ref: string, option: string) => number;

/** A JoinTarget over the container store: the container must be running. */
export function runningPid(
  store: { get(ref: string): { name: string; state: { status: string; pid: number } } },
  ref: string,
  option: string,
): number {
  const rec = store.get(ref);
  if ((rec.state.status !== 'running' && rec.state.status !== 'paused') || !rec.state.pid)
    throw invalid(
      option,
      `container:${ref}`,
      `cannot join the namespace of ${rec.name}: it is not running`,
    );
  return rec.state.pid;
}

/**
 * Changes `spec` (from buildSpec) in place for the options of this module. `shmSource`: the host
 * tmpfs bound at /dev/shm (`--ipc shareable` and `container:NAME`, shared-ipc.ts).
 */
export function applySpecOptions(
  spec: Record<string, unknown>,
  o: ContainerCreateOptions,
  joinTarget: JoinTarget,
  shmSource?: string,
): void {
  const s = spec as unknown as Spec;
  const ns = (type: string, mode: string | undefined, option: string) => {
    if (mode === 'host') s.linux.namespaces = s.linux.namespaces.filter((n) => n.type !== type);
    const other = joinedContainer(mode);
    if (other) {
      const entry = s.linux.namespaces.find((n) => n.type === type)!;
      entry.path = `/proc/${joinTarget(other, option)}/ns/${type}`;
    }
  };
  ns('pid', o.pidMode, '--pid');
  ns('ipc', o.ipcMode, '--ipc');
  ns('uts', o.utsMode, '--uts');
  // The host's hostname stays the host's: runc may not set one without its own UTS namespace.
  if (o.utsMode === 'host') delete s.hostname;

  const shmAt = s.mounts.findIndex((m) => m.destination === '/dev/shm');
  if (o.ipcMode === 'none') s.mounts.splice(shmAt, 1);
  else if (o.ipcMode === 'host')
    s.mounts[shmAt] = {
      destination: '/dev/shm',
      type: 'bind',
      source: '/dev/shm',
      options: ['rbind', 'rprivate'],
    };
  else if (shmSource)
    s.mounts[shmAt] = {
      destination: '/dev/shm',
      type: 'bind',
      source: shmSource,
      options: ['rbind', 'rprivate', 'nosuid', 'nodev', 'noexec'],
    };
  else if (shmAt >= 0)
    s.mounts[shmAt].options = [
      ...s.mounts[shmAt].options.filter((x) => !x.startsWith('size=')),
      `size=${o.shmSizeBytes ?? DEFAULT_SHM_SIZE_BYTES}`,
    ];

  const r = s.linux.resources;
  for (const d of o.devices ?? []) {
    const node = deviceNode(d);
    s.linux.devices = [...(s.linux.devices ?? []).filter((x) => x.path !== node.path), node];
    r.devices.push({
      allow: true,
      type: node.type,
      major: node.major,
      minor: node.minor,
      access: d.cgroupPermissions,
    });
  }
  for (const rule of o.deviceCgroupRules ?? []) {
    const { type, major, minor, access } = parseDeviceCgroupRule(rule);
    r.devices.push({
      allow: true,
      type,
      ...(major === undefined ? {} : { major }),
      ...(minor === undefined ? {} : { minor }),
      access,
    });
  }
  if (o.oomScoreAdj !== undefined) s.process.oomScoreAdj = o.oomScoreAdj;
  if (o.oomKillDisable || o.memoryReservationBytes) {
    const memory = (r.memory ?? {}) as Record<string, unknown>;
    if (o.oomKillDisable) memory.disableOOMKiller = true;
    if (o.memoryReservationBytes) memory.reservation = o.memoryReservationBytes;
    r.memory = memory;
  }
  if (o.cpusetCpus || o.cpusetMems) {
    const cpu = (r.cpu ?? {}) as Record<string, unknown>;
    if (o.cpusetCpus) cpu.cpus = o.cpusetCpus;
    if (o.cpusetMems) cpu.mems = o.cpusetMems;
    r.cpu = cpu;
  }
}

/** Docker's HostConfig fields of these options, as `inspect` shows them. */
export function specHostConfig(o: ContainerCreateOptions): Record<string, unknown> {
  return {
    PidMode: o.pidMode ?? '',
    IpcMode: o.ipcMode || 'private',
    UTSMode: o.utsMode ?? '',
    ShmSize: o.shmSizeBytes ?? DEFAULT_SHM_SIZE_BYTES,
    Devices: (o.devices ?? []).map((d) => ({
      PathOnHost: d.pathOnHost,
      PathInContainer: d.pathInContainer,
      CgroupPermissions: d.cgroupPermissions,
    })),
    DeviceCgroupRules: o.deviceCgroupRules?.length ? o.deviceCgroupRules : null,
    DeviceRequests: null,
    OomScoreAdj: o.oomScoreAdj ?? 0,
    OomKillDisable: Boolean(o.oomKillDisable),
    MemoryReservation: o.memoryReservationBytes ?? 0,
    CpusetCpus: o.cpusetCpus ?? '',
    CpusetMems: o.cpusetMems ?? '',
  };
}
