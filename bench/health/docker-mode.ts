// The reference column of the health-check benchmark: the Docker engine at DOCKER_HOST running the
// same containers with the same check. CPU is dockerd's, containerd's and every shim's own time plus
// their reaped children's (each check's `runc exec` is a child of its shim), plus the containers'
// cpuacct cgroups (where the checks run), over the same window as the Flotilla modes.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { busyboxImage, dockerArchive } from '../../test/integration/runtime/harness.js';

const cpuacct = '/sys/fs/cgroup/cpuacct';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export function dockerAnswers(): boolean {
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 }).status === 0;
}

function docker(args: string[], input?: Buffer): string {
  return execFileSync('docker', args, { input, maxBuffer: 1 << 26 }).toString();
}

/** utime + stime + cutime + cstime of a process, in seconds (0 once it is gone). */
function procCpuSec(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return 0;
  }
}

/** dockerd, containerd and the shims: the processes Docker's engine runs a check through. */
function enginePids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        const exe = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
        return /(^|\/)(dockerd|containerd|containerd-shim-runc-v2)$/.test(exe);
      } catch {
        return false;
      }
    });
}

function usageSec(cg: string): number {
  try {
    return Number(readFileSync(join(cg, 'cpuacct.usage'), 'utf8')) / 1e9;
  } catch {
    return 0;
  }
}

interface HealthLog {
  Start: string;
  ExitCode: number;
}

/** The same measurement as bench.ts's `measure`, through the Docker engine. */
export async function measureDocker(
  containers: number,
  windowSec: number,
  check: string,
  intervalMs: number,
): Promise<Record<string, unknown>> {
  docker(['load', '-q'], await dockerArchive(await busyboxImage(), 'busybox:latest'));
  const ids: string[] = [];
  try {
    for (let i = 0; i < containers; i++)
      ids.push(
        docker([
          'run',
          '-d',
          '--network',
          'none',
          '--name',
          `flt-bench-hc${i}`,
          '--health-cmd',
          check,
          '--health-interval',
          `${intervalMs}ms`,
          '--health-timeout',
          '10s',
          '--health-retries',
          '3',
          'busybox',
          'sleep',
          '3600',
        ]).trim(),
      );
    const logs = () =>
      (
        JSON.parse(docker(['inspect', ...ids])) as {
          State: { Health: { Status: string; Log: HealthLog[] } };
        }[]
      ).map((c) => c.State.Health);
    const healthy = () => logs().filter((h) => h.Status === 'healthy').length;
    for (let i = 0; i < 120 && healthy() < ids.length; i++) await sleep(500);
    const healthyAtStart = healthy();
    const pids = enginePids();
    const cgs = ids.map((id) => join(cpuacct, 'docker', id));
    const cpu = () => ({
      engine: pids.reduce((a, p) => a + procCpuSec(p), 0),
      ctrs: cgs.reduce((a, c) => a + usageSec(c), 0),
    });
    const seen = ids.map(() => new Set<string>());
    let failed = 0;
    const t0 = Date.now();
    let t1 = Number.MAX_SAFE_INTEGER;
    const c0 = cpu();
    // Docker keeps the last 5 results; read every 4 s, at a 2 s interval none is missed.
    const collect = () =>
      logs().forEach((h, i) => {
        for (const e of h.Log ?? []) {
          const at = Date.parse(e.Start);
          if (at >= t0 && at < t1 && !seen[i].has(e.Start)) {
            seen[i].add(e.Start);
            if (e.ExitCode !== 0) failed++;
          }
        }
      });
    while (Date.now() - t0 < windowSec * 1000) {
      await sleep(Math.min(4000, t0 + windowSec * 1000 - Date.now()));
      collect();
    }
    const c1 = cpu();
    t1 = Date.now();
    collect();
    const secs = (t1 - t0) / 1000;
    const checks = seen.reduce((a, s) => a + s.size, 0);
    const total = c1.engine - c0.engine + (c1.ctrs - c0.ctrs);
    return {
      mode: 'docker',
      containers,
      healthyAtStart,
      windowSec: round(secs),
      checks,
      failedChecks: failed,
      checksPerSec: round(checks / secs),
      expectedChecksPerSec: round(containers / (intervalMs / 1000)),
      cpuSeconds: round(total, 2),
      engineCpuSeconds: round(c1.engine - c0.engine, 2),
      containerCgroupsCpuSeconds: round(c1.ctrs - c0.ctrs, 2),
      cpuMsPerCheck: round((total * 1000) / Math.max(1, checks), 2),
      shareOfOneCore: round(total / secs, 3),
      loadavg: loadavg().map((x) => round(x)),
    };
  } finally {
    if (ids.length) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  }
}
