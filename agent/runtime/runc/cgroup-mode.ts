// Which cgroup layout the host has, read from /proc/self/mountinfo, and whether an OCI runtime can
// run containers on it. runc handles v1, hybrid and unified hosts. crun 1.8 refuses a hybrid host
// whose v2 hierarchy holds controllers ("cgroups in hybrid mode not supported, drop all controllers
// from cgroupv2"), and its device rules on v2 need eBPF; we offer it only where cgroup v2 is pure
// (unified at /sys/fs/cgroup), and explain the refusal up front instead of crun's error.
import { readFileSync } from 'node:fs';
import { FlotillaError } from '../../../shared/errors/index.js';

export type CgroupMode = 'unified' | 'hybrid' | 'legacy';

export interface CgroupLayout {
  mode: CgroupMode;
  /** Where the cgroup v2 hierarchy is mounted, if at all. */
  v2Mount?: string;
  /** Controllers the v2 hierarchy holds (its cgroup.controllers). */
  v2Controllers: string[];
  /** Mount points of v1 hierarchies. */
  v1Mounts: string[];
}

export const runtimeNames = ['runc', 'crun'] as const;
export type RuntimeName = (typeof runtimeNames)[number];

/** Mount point and filesystem type of each mount in a mountinfo text (octal escapes decoded). */
function mounts(mountinfo: string): { point: string; fsType: string }[] {
  const out: { point: string; fsType: string }[] = [];
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    if (sep < 0 || fields.length < sep + 2) continue;
    const point = fields[4].replace(/\\([0-7]{3})/g, (_, o: string) =>
      String.fromCharCode(parseInt(o, 8)),
    );
    out.push({ point, fsType: fields[sep + 1] });
  }
  return out;
}

/**
 * Classifies the host: `unified` when cgroup2 is mounted at /sys/fs/cgroup itself, `hybrid` when
 * v1 hierarchies sit beside a cgroup2 mount (usually /sys/fs/cgroup/unified), else `legacy`.
 */
export function detectCgroupLayout(
  mountinfo: string,
  readControllers: (v2Mount: string) => string = (m) =>
    readFileSync(`${m}/cgroup.controllers`, 'utf8'),
): CgroupLayout {
  const all = mounts(mountinfo);
  const v2 = all.filter((m) => m.fsType === 'cgroup2');
  const v1Mounts = all.filter((m) => m.fsType === 'cgroup').map((m) => m.point);
  const root = v2.find((m) => m.point === '/sys/fs/cgroup');
  const v2Mount = (root ?? v2[0])?.point;
  let v2Controllers: string[] = [];
  if (v2Mount) {
    try {
      v2Controllers = readControllers(v2Mount).trim().split(/\s+/).filter(Boolean);
    } catch {
      v2Controllers = [];
    }
  }
  const mode: CgroupMode = root ? 'unified' : v2Mount ? 'hybrid' : 'legacy';
  return { mode, v2Mount, v2Controllers, v1Mounts };
}

/** The host's layout, read once per process. */
let hostLayout: CgroupLayout | undefined;
export function hostCgroupLayout(): CgroupLayout {
  hostLayout ??= detectCgroupLayout(readFileSync('/proc/self/mountinfo', 'utf8'));
  return hostLayout;
}

/** Why crun cannot run here, in words a user can check; undefined where it can. */
export function crunRefusal(layout: CgroupLayout): string | undefined {
  if (layout.mode === 'unified') return undefined;
  if (layout.mode === 'legacy')
    return 'this host has only cgroup v1 (no cgroup v2 hierarchy), and crun is used here only on unified cgroup v2';
  const held = layout.v2Controllers.length
    ? `, which holds controllers (${layout.v2Controllers.join(' ')})`
    : '';
  return `cgroups on this host are hybrid, not unified cgroup v2: v1 controllers are mounted under /sys/fs/cgroup and cgroup v2 at ${layout.v2Mount}${held}`;
}

/**
 * Checks that a runtime can run containers on this host; throws RUNTIME_UNKNOWN,
 * RUNTIME_UNSUPPORTED (crun on a non-unified host) or RUNTIME_NOT_INSTALLED.
 */
export function checkRuntime(
  name: string,
  host: { layout: CgroupLayout; installed(binary: string): boolean },
): RuntimeName {
  if (!(runtimeNames as readonly string[]).includes(name))
    throw new FlotillaError('RUNTIME_UNKNOWN', { name, known: runtimeNames.join(', ') });
  const rt = name as RuntimeName;
  if (rt === 'crun') {
    const reason = crunRefusal(host.layout);
    if (reason) throw new FlotillaError('RUNTIME_UNSUPPORTED', { name: rt, reason });
  }
  if (!host.installed(rt)) throw new FlotillaError('RUNTIME_NOT_INSTALLED', { name: rt });
  return rt;
}
