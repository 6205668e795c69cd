// Resource usage of a container from its cgroup files — v1 (cpuacct, memory, pids, blkio
// hierarchies) or unified v2 (one directory: cpu.stat, memory.current, pids.current, io.stat) — and
// its network namespace (/proc/<pid>/net/dev), in the shape `flotilla stats` prints.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface CgroupSource {
  /** Where the cgroup hierarchies are mounted. @default /sys/fs/cgroup */
  root?: string;
  /** Unified cgroup v2 (runc puts the container in <root><path>); else v1 hierarchies. */
  unified?: boolean;
  /** For tests: /proc/meminfo and /proc/stat's first line come from here. */
  procRoot?: string;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function num(path: string): number {
  const v = Number(read(path));
  return Number.isFinite(v) ? v : 0;
}

export function systemCpuNs(procRoot = '/proc'): number {
  const line = read(`${procRoot}/stat`).split('\n')[0] ?? '';
  const ticks = line
    .split(/\s+/)
    .slice(1, 8)
    .map(Number)
    .reduce((a, b) => a + b, 0);
  return ticks * 1e7; // USER_HZ = 100
}

/** "key value" lines (memory.stat, cpu.stat) as numbers. */
function keyed(text: string): Record<string, number> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.split(' '))
      .map(([k, v]) => [k, Number(v)]),
  ) as Record<string, number>;
}

export interface RawSample {
  cpuNs: number;
  systemNs: number;
  memUsage: number;
  memLimit: number;
  pids: number;
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
}

export function sample(cgroupPath: string, pid: number, src: CgroupSource = {}): RawSample {
  const root = src.root ?? '/sys/fs/cgroup';
  const procRoot = src.procRoot ?? '/proc';
  const hostMem = Number(/MemTotal:\s+(\d+)/.exec(read(`${procRoot}/meminfo`))?.[1] ?? 0) * 1024;
  const usage = src.unified ? unifiedUsage(`${root}${cgroupPath}`) : v1Usage(root, cgroupPath);
  // No limit reads as "max" (v2) or a huge number (v1): show the host's memory, as docker does.
  if (!usage.memLimit || usage.memLimit > hostMem) usage.memLimit = hostMem;
  let netRx = 0;
  let netTx = 0;
  for (const l of read(`${procRoot}/${pid}/net/dev`).split('\n').slice(2)) {
    const [iface, rest] = l.split(':');
    if (!rest || iface.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map(Number);
    netRx += f[0];
    netTx += f[8];
  }
  return { ...usage, systemNs: systemCpuNs(procRoot), netRx, netTx };
}

type CgroupUsage = Pick<
  RawSample,
  'cpuNs' | 'memUsage' | 'memLimit' | 'pids' | 'blkRead' | 'blkWrite'
>;

function v1Usage(root: string, cgroupPath: string): CgroupUsage {
  const memStat = keyed(read(`${root}/memory${cgroupPath}/memory.stat`));
  let blkRead = 0;
  let blkWrite = 0;
  for (const l of read(`${root}/blkio${cgroupPath}/blkio.throttle.io_service_bytes`).split('\n')) {
    const f = l.split(' ');
    if (f[1] === 'Read') blkRead += Number(f[2]);
    if (f[1] === 'Write') blkWrite += Number(f[2]);
  }
  return {
    cpuNs: num(`${root}/cpuacct${cgroupPath}/cpuacct.usage`),
    // docker subtracts the page cache (total_inactive_file on v1) from usage
    memUsage: Math.max(
      0,
      num(`${root}/memory${cgroupPath}/memory.usage_in_bytes`) - (memStat.total_inactive_file ?? 0),
    ),
    memLimit: num(`${root}/memory${cgroupPath}/memory.limit_in_bytes`),
    pids: num(`${root}/pids${cgroupPath}/pids.current`),
    blkRead,
    blkWrite,
  };
}

function unifiedUsage(dir: string): CgroupUsage {
  const memStat = keyed(read(`${dir}/memory.stat`));
  let blkRead = 0;
  let blkWrite = 0;
  // io.stat: "8:0 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0"
  for (const l of read(`${dir}/io.stat`).split('\n'))
    for (const field of l.split(' ').slice(1)) {
      const [k, v] = field.split('=');
      if (k === 'rbytes') blkRead += Number(v);
      if (k === 'wbytes') blkWrite += Number(v);
    }
  return {
    cpuNs: (keyed(read(`${dir}/cpu.stat`)).usage_usec ?? 0) * 1000,
    // docker subtracts inactive_file on v2 as well
    memUsage: Math.max(0, num(`${dir}/memory.current`) - (memStat.inactive_file ?? 0)),
    memLimit: num(`${dir}/memory.max`), // "max" reads as 0: no limit
    pids: num(`${dir}/pids.current`),
    blkRead,
    blkWrite,
  };
}

export function cpuPercent(prev: RawSample, cur: RawSample): number {
  const dCpu = cur.cpuNs - prev.cpuNs;
  const dSys = cur.systemNs - prev.systemNs;
  if (dCpu <= 0 || dSys <= 0) return 0;
  return (dCpu / dSys) * cpus().length * 100;
}
