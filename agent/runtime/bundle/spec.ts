// Builds the OCI runtime config (config.json) of one container with Docker's defaults: reduced
// capabilities, masked and read-only /proc and /sys paths, a device allow-list, seccomp, cgroup v1
// resources under cgroupsPath /flotilla/<id>. Pure: files and mounts are prepared by the caller.
import { readdirSync } from 'node:fs';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { ContainerCreateOptions } from '../types.js';
import { effectiveCaps } from './caps.js';
import type { OciDevice } from './host-devices.js';
import { lsmSpec, type LsmHost, type LsmSpec } from './lsm.js';
import type { MergedConfig } from './merge.js';
import {
  defaultSeccompProfile,
  loadSeccompProfile,
  toOciSeccomp,
  type OciSeccomp,
} from './seccomp.js';
import { containerSysctls } from './runtime-options.js';
import type { ResolvedUser } from './user.js';

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface BundleInputs {
  id: string;
  config: MergedConfig;
  opts: ContainerCreateOptions;
  user: ResolvedUser;
  rootfs: string;
  /** Network namespace to join; undefined with `hostNetwork` false = a fresh one (loopback only). */
  netnsPath?: string;
  hostNetwork?: boolean;
  /** Generated per-container files, bind-mounted over /etc/{hosts,hostname,resolv.conf}. */
  files: { hosts: string; hostname: string; resolvConf: string };
  /** Binds and volumes, already resolved to host paths. */
  binds: { source: string; destination: string; readOnly: boolean; propagation?: string }[];
  /** Host path of the tini binary when --init is set. */
  initPath?: string;
  cgroupParent?: string;
  /** The agent's bounding set: what "all capabilities" (--privileged) may grant. */
  boundingCaps?: string[];
  /** The host's device nodes, created in a --privileged container's /dev. */
  hostDevices?: OciDevice[];
  /** AppArmor/SELinux support; @default the host's, read from /sys (only when an option asks). */
  lsm?: LsmHost;
}

export const maskedPaths = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/sys/devices/virtual/powercap',
  '/sys/firmware',
];
export const readonlyPaths = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

function thermalPaths(): string[] {
  try {
    return readdirSync('/sys/devices/system/cpu')
      .filter((d) => /^cpu\d+$/.test(d))
      .map((d) => `/sys/devices/system/cpu/${d}/thermal_throttle`)
      .filter((p) => {
        try {
          readdirSync(p);
          return true;
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

const dev = (minor: number, major = 1) => ({ allow: true, type: 'c', major, minor, access: 'rwm' });

export const rlimitNames: Record<string, string> = {
  core: 'RLIMIT_CORE',
  cpu: 'RLIMIT_CPU',
  data: 'RLIMIT_DATA',
  fsize: 'RLIMIT_FSIZE',
  locks: 'RLIMIT_LOCKS',
  memlock: 'RLIMIT_MEMLOCK',
  msgqueue: 'RLIMIT_MSGQUEUE',
  nice: 'RLIMIT_NICE',
  nofile: 'RLIMIT_NOFILE',
  nproc: 'RLIMIT_NPROC',
  rss: 'RLIMIT_RSS',
  rtprio: 'RLIMIT_RTPRIO',
  rttime: 'RLIMIT_RTTIME',
  sigpending: 'RLIMIT_SIGPENDING',
  stack: 'RLIMIT_STACK',
  as: 'RLIMIT_AS',
};

/**
 * Parses --security-opt values (`key=value`, or Docker's older `key:value`): no-new-privileges,
 * seccomp, apparmor and label (the last two are checked against the host in lsm.ts).
 */
export function parseSecurityOpts(list: string[] = []): {
  noNewPrivileges: boolean;
  seccomp?: string;
  apparmor?: string;
  labels: string[];
} {
  let noNewPrivileges = false;
  let seccomp: string | undefined;
  let apparmor: string | undefined;
  const labels: string[] = [];
  for (const raw of list) {
    const eq = raw.indexOf('=');
    const at = eq >= 0 ? eq : raw.indexOf(':');
    const [k, v] = at >= 0 ? [raw.slice(0, at), raw.slice(at + 1)] : [raw, 'true'];
    if (k === 'no-new-privileges') noNewPrivileges = v !== 'false';
    else if (k === 'seccomp') seccomp = v;
    else if (k === 'apparmor') apparmor = v;
    else if (k === 'label') labels.push(v);
    else
      throw new FlotillaError('CONTAINER_OPTION_INVALID', {
        option: '--security-opt',
        value: raw,
        reason:
          'supported: no-new-privileges[=true|false], seccomp=unconfined|FILE, apparmor=PROFILE, label=...',
      });
  }
  return { noNewPrivileges, seccomp, apparmor, labels };
}

/** The OCI fields of the container's AppArmor profile and SELinux labels (refused if unsupported). */
export function securityLabels(opts: ContainerCreateOptions, host?: LsmHost): LsmSpec {
  const sec = parseSecurityOpts(opts.securityOpt);
  return lsmSpec({ apparmor: sec.apparmor, labels: sec.labels }, host);
}

export function buildSpec(b: BundleInputs): Record<string, unknown> {
  const { opts, config } = b;
  const caps = effectiveCaps(opts, b.boundingCaps);
  const sec = parseSecurityOpts(opts.securityOpt);
  const labels = securityLabels(opts, b.lsm);
  const privileged = Boolean(opts.privileged);
  const args = b.initPath ? ['/sbin/docker-init', '--', ...config.Args] : config.Args;
  if (!config.WorkingDir.startsWith('/') || config.WorkingDir.startsWith('/proc/self/fd'))
    throw new FlotillaError('CONTAINER_OPTION_INVALID', {
      option: 'working directory',
      value: config.WorkingDir,
      reason: 'must be an absolute path outside /proc/self/fd',
    });
  const env = config.Env.some((e) => e.startsWith('HOME='))
    ? config.Env
    : [...config.Env, `HOME=${b.user.home}`];
  const rlimits = (opts.ulimits ?? []).map((u) => {
    const type = rlimitNames[u.name];
    if (!type)
      throw new FlotillaError('CONTAINER_OPTION_INVALID', {
        option: '--ulimit',
        value: u.name,
        reason: 'unknown limit',
      });
    return { type, soft: u.soft, hard: u.hard };
  });
  const sysctl = containerSysctls(opts, !b.hostNetwork);
  const ro = opts.readOnlyRootfs ? ['ro'] : [];
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/sys',
      type: 'sysfs',
      source: 'sysfs',
      options: ['nosuid', 'noexec', 'nodev', privileged ? 'rw' : 'ro'],
    },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: [privileged ? 'rw' : 'ro', 'nosuid', 'noexec', 'nodev'],
    },
    {
      destination: '/dev/mqueue',
      type: 'mqueue',
      source: 'mqueue',
      options: ['nosuid', 'noexec', 'nodev'],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864'],
    },
  ];
  const userDests = new Set([
    ...b.binds.map((m) => m.destination),
    ...Object.keys(opts.tmpfs ?? {}),
  ]);
  for (const [dest, file] of [
    ['/etc/resolv.conf', b.files.resolvConf],
    ['/etc/hostname', b.files.hostname],
    ['/etc/hosts', b.files.hosts],
  ] as const)
    if (!userDests.has(dest))
      mounts.push({
        destination: dest,
        type: 'bind',
        source: file,
        options: ['rbind', 'rprivate', ...ro],
      });
  for (const [dest, o] of Object.entries(opts.tmpfs ?? {}))
    mounts.push({
      destination: dest,
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'nodev', 'noexec', ...(o ? o.split(',').filter(Boolean) : [])],
    });
  for (const m of b.binds)
    mounts.push({
      destination: m.destination,
      type: 'bind',
      source: m.source,
      options: ['rbind', m.propagation ?? 'rprivate', m.readOnly ? 'ro' : 'rw'],
    });
  if (b.initPath)
    mounts.push({
      destination: '/sbin/docker-init',
      type: 'bind',
      source: b.initPath,
      options: ['bind', 'ro'],
    });

  const namespaces: Record<string, string>[] = [
    { type: 'pid' },
    { type: 'ipc' },
    { type: 'uts' },
    { type: 'mount' },
  ];
  if (!b.hostNetwork)
    namespaces.push(b.netnsPath ? { type: 'network', path: b.netnsPath } : { type: 'network' });

  const resources: Record<string, unknown> = {
    devices: privileged
      ? [{ allow: true, access: 'rwm' }]
      : [
          { allow: false, access: 'rwm' },
          dev(3),
          dev(5),
          dev(8),
          dev(9),
          dev(0, 5),
          dev(1, 5),
          // pty slaves (devpts newinstance) and /dev/pts/ptmx
          { allow: true, type: 'c', major: 136, access: 'rwm' },
          dev(2, 5),
          { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' },
        ],
  };
  if (opts.memoryBytes) {
    const swap = opts.memorySwapBytes ?? opts.memoryBytes * 2;
    resources.memory = { limit: opts.memoryBytes, swap: swap === -1 ? -1 : swap };
  }
  const cpu: Record<string, number> = {};
  if (opts.cpuShares) cpu.shares = opts.cpuShares;
  if (opts.nanoCpus) {
    cpu.period = 100000;
    cpu.quota = Math.round((opts.nanoCpus / 1e9) * 100000);
  }
  if (Object.keys(cpu).length) resources.cpu = cpu;
  if (opts.pidsLimit && opts.pidsLimit > 0) resources.pids = { limit: opts.pidsLimit };

  let seccomp: OciSeccomp | undefined;
  if (!privileged && sec.seccomp !== 'unconfined')
    seccomp = toOciSeccomp(
      sec.seccomp ? loadSeccompProfile(sec.seccomp) : defaultSeccompProfile(),
      caps,
    );

  return {
    ociVersion: '1.0.2',
    hostname: config.Hostname,
    root: { path: b.rootfs, readonly: Boolean(opts.readOnlyRootfs) },
    process: {
      terminal: config.Tty,
      user: { uid: b.user.uid, gid: b.user.gid, additionalGids: b.user.additionalGids },
      args,
      cwd: config.WorkingDir,
      env,
      noNewPrivileges: sec.noNewPrivileges,
      oomScoreAdj: 0,
      // Inheritable and ambient stay empty (CVE-2022-24769).
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      ...(rlimits.length ? { rlimits } : {}),
      ...(labels.apparmorProfile ? { apparmorProfile: labels.apparmorProfile } : {}),
      ...(labels.selinuxLabel ? { selinuxLabel: labels.selinuxLabel } : {}),
    },
    mounts,
    linux: {
      cgroupsPath: `${b.cgroupParent ?? '/flotilla'}/${b.id}`,
      namespaces,
      resources,
      ...(privileged && b.hostDevices?.length ? { devices: b.hostDevices } : {}),
      ...(sysctl ? { sysctl } : {}),
      ...(privileged ? {} : { maskedPaths: [...maskedPaths, ...thermalPaths()], readonlyPaths }),
      ...(seccomp ? { seccomp } : {}),
      ...(labels.mountLabel ? { mountLabel: labels.mountLabel } : {}),
    },
  };
}
