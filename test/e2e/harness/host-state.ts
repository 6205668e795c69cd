// What a test left on the host: network namespaces, links, mounts, iptables rules and processes.
// Take a snapshot before and after, then ask for what is new and matches the test's own names, so
// other tests running on the same machine at the same time do not make the check flaky.
import { readdir, readFile } from 'node:fs/promises';
import { run } from './exec.js';

export interface HostSnapshot {
  netns: string[];
  links: string[];
  mounts: string[];
  iptables: string[];
  /** "PID cmdline" of every process. */
  processes: string[];
}

async function lines(cmd: string, args: string[]): Promise<string[]> {
  const r = await run(cmd, args);
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

/** Command line of a process, or undefined when it is gone. */
export async function commandLine(pid: number): Promise<string | undefined> {
  try {
    const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim();
    return cmd || undefined;
  } catch {
    return undefined;
  }
}

/** "PID cmdline" of every process in the network namespaces whose names match `pattern`. */
export async function netnsProcesses(pattern: RegExp): Promise<string[]> {
  const out: string[] = [];
  for (const ns of (await lines('ip', ['netns', 'list'])).map((x) => x.split(' ')[0])) {
    if (!pattern.test(ns)) continue;
    for (const pid of await lines('ip', ['netns', 'pids', ns])) {
      const cmd = await commandLine(Number(pid));
      if (cmd) out.push(`${pid} ${cmd}`);
    }
  }
  return out;
}

/** Those of `procs` ("PID cmdline") still running as the same program. */
export async function stillRunning(procs: string[]): Promise<string[]> {
  const alive: string[] = [];
  for (const p of procs) {
    const [pid, ...cmd] = p.split(' ');
    if ((await commandLine(Number(pid))) === cmd.join(' ')) alive.push(p);
  }
  return alive;
}

async function processes(): Promise<string[]> {
  const out: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim();
      if (cmd) out.push(`${pid} ${cmd}`);
    } catch {
      // exited while we looked
    }
  }
  return out;
}

export async function snapshotHost(): Promise<HostSnapshot> {
  const [netns, links, mounts, iptables, procs] = await Promise.all([
    lines('ip', ['netns', 'list']).then((l) => l.map((x) => x.split(' ')[0])),
    lines('ip', ['-o', 'link', 'show']).then((l) =>
      // "12: name@peer: <...>" → name; ifindexes change, names are what we created.
      l.map((x) => x.split(':')[1].trim().split('@')[0]),
    ),
    lines('cat', ['/proc/self/mounts']),
    // Counters change all the time; compare the rules only.
    lines('iptables-save', []).then((l) =>
      l.filter((x) => !x.startsWith('#')).map((x) => x.replace(/\[\d+:\d+\]/g, '')),
    ),
    processes(),
  ]);
  return { netns, links, mounts, iptables, processes: procs };
}

/**
 * Entries present in `after` but not in `before` whose text matches `pattern`. Processes are
 * compared by command line (PIDs differ), and pattern-matched in full.
 */
export function leftovers(
  before: HostSnapshot,
  after: HostSnapshot,
  pattern: RegExp,
): Record<keyof HostSnapshot, string[]> {
  const fresh = (a: string[], b: string[], key: (s: string) => string = (s) => s) => {
    const had = new Set(b.map(key));
    return a.filter((x) => !had.has(key(x)) && pattern.test(x));
  };
  const cmdline = (p: string) => p.slice(p.indexOf(' ') + 1);
  return {
    netns: fresh(after.netns, before.netns),
    links: fresh(after.links, before.links),
    mounts: fresh(after.mounts, before.mounts),
    iptables: fresh(after.iptables, before.iptables),
    processes: fresh(after.processes, before.processes, cmdline),
  };
}
