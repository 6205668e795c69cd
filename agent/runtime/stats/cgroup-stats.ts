// Resource usage of a container from its cgroup v1 files (cpuacct, memory, pids, blkio) and its
// network namespace (/proc/<pid>/net/dev), in the shape `flotilla stats` prints.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const root = '/sys/fs/cgroup';

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

export function systemCpuNs(): number {
  const line = read('/proc/stat').split('\n')[0] ?? '';
  const ticks = line
    .split(/\s+/)
    .slice(1, 8)
    .map(Number)
    .reduce((a, b) => a + b, 0);
  return ticks * 1e7; // USER_HZ = 100
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

export function sample(cgroupPath: string, pid: number): RawSample {
  const memStat = Object.fromEntries(
    read(`${root}/memory${cgroupPath}/memory.stat`)
      .split('\n')
      .map((l) => l.split(' '))
      .map(([k, v]) => [k, Number(v)]),
  ) as Record<string, number>;
  // docker subtracts the page cache (total_inactive_file on v1) from usage
  const usage = Math.max(
    0,
    num(`${root}/memory${cgroupPath}/memory.usage_in_bytes`) - (memStat.total_inactive_file ?? 0),
  );
  let limit = num(`${root}/memory${cgroupPath}/memory.limit_in_bytes`);
  const hostMem = Number(/MemTotal:\s+(\d+)/.exec(read('/proc/meminfo'))?.[1] ?? 0) * 1024;
  if (!limit || limit > hostMem) limit = hostMem;
  let netRx = 0;
  let netTx = 0;
  for (const l of read(`/proc/${pid}/net/dev`).split('\n').slice(2)) {
    const [iface, rest] = l.split(':');
    if (!rest || iface.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map(Number);
    netRx += f[0];
    netTx += f[8];
  }
  let blkRead = 0;
  let blkWrite = 0;
  for (const l of read(`${root}/blkio${cgroupPath}/blkio.throttle.io_service_bytes`).split('\n')) {
    const f = l.split(' ');
    if (f[1] === 'Read') blkRead += Number(f[2]);
    if (f[1] === 'Write') blkWrite += Number(f[2]);
  }
  return {
    cpuNs: num(`${root}/cpuacct${cgroupPath}/cpuacct.usage`),
    systemNs: systemCpuNs(),
    memUsage: usage,
    memLimit: limit,
    pids: num(`${root}/pids${cgroupPath}/pids.current`),
    netRx,
    netTx,
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
