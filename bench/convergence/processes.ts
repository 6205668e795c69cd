// The real-container column's processes: a docker-registry, a Flotilla manager and one agent on
// this machine, each a child of the benchmark (stopped by PID), each optionally under
// `node --cpu-prof` so the profile shows where the agent and manager spend the benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Child {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  logFile: string;
}

/** Starts `bin/flotilla ARGS` (node; --cpu-prof into PROFDIR when given), output to DIR/NAME.log. */
export function startFlotilla(
  dir: string,
  bin: string,
  name: string,
  args: string[],
  profDir?: string,
): Child {
  // One directory per process: worker threads (the image unpacker) write profiles of their own,
  // which a fixed --cpu-prof-name would let overwrite the main thread's.
  const node = profDir ? [`--cpu-prof`, `--cpu-prof-dir=${join(profDir, name)}`] : [];
  return startChild(dir, name, process.execPath, [...node, bin, ...args]);
}

export function startChild(dir: string, name: string, cmd: string, args: string[]): Child {
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, {
    stdio: ['ignore', fd, fd],
    env: {
      ...process.env,
      FLOTILLA_CONFIG: join(dir, 'cli'),
      // debug: the agent logs each start's phases (`container start phases`).
      FLOTILLA_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    },
  });
  closeSync(fd);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { name, child, exited, logFile };
}

/** SIGTERM, then SIGKILL after GRACEMS; resolves once the process is gone. */
export async function stopChild(c: Child, graceMs = 30_000): Promise<void> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) return;
  c.child.kill('SIGTERM');
  const t = setTimeout(() => c.child.kill('SIGKILL'), graceMs);
  await c.exited;
  clearTimeout(t);
}

export function logTail(c: Child, lines = 20): string {
  try {
    return readFileSync(c.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Resident set of PID in KiB (0 once it is gone). */
export function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of PID so far: its own (user + system) and that of the children it has waited for
 * (runc, ip, iptables, mount... but not conmon, which double-forks away).
 */
export function cpuSec(pid: number): { self: number; children: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    // Fields 14-17 of proc(5), counted from the state field (3) here.
    const [utime, stime, cutime, cstime] = f.slice(11, 15);
    return { self: (utime + stime) / 100, children: (cutime + cstime) / 100 };
  } catch {
    return { self: 0, children: 0 };
  }
}
