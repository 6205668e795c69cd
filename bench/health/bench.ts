// Health-check benchmark: CPU that health checks cost the agent and what it starts.
//   For each mode, an agent (bin/flotilla) in a cpuacct cgroup of its own starts M busybox
//   containers (`sleep`, no network) with a 2 s CMD-SHELL check, waits until all are healthy,
//   then measures over S seconds: CPU of the agent's cgroup (the agent, runc, conmon, helpers it
//   starts) plus CPU of the containers' cgroups (the checks themselves, and anything joined to
//   them), and the checks that ran (each container's health log, read every 4 s).
//   Modes: runc-exec (every check its own `runc exec`, FLOTILLA_PROBE_HELPER=none: the design
//   before), probe-server (one flotilla-probe per container forks each check) and docker (the
//   engine at DOCKER_HOST, when one answers: docker-mode.ts).
//   Reference: K sequential `runc exec` of the same check by hand, CPU per exec of runc and its
//   children (what Docker's engine also starts per check: containerd-shim → runc exec).
// Prints one JSON document. Run as root: bench/health/run.sh [M] [S] [MODES]
// BENCH_CPU_PROF=DIR writes each agent's CPU profile into DIR.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { busyboxImage, dockerArchive } from '../../test/integration/runtime/harness.js';
import { removeAgentNetwork } from '../../test/harness/agent-network.js';
import { dockerAnswers, measureDocker } from './docker-mode.js';

const cli = process.env.FLOTILLA_CLI!;
const containers = Number(process.argv[2] ?? 100);
const windowSec = Number(process.argv[3] ?? 60);
const modes = (process.argv[4] ?? 'runc-exec,probe-server,docker').split(',');
const check = 'test -e /etc/passwd';
// BENCH_CPU_PROF=DIR: each agent writes its CPU profile there (node --cpu-prof).
const profDir = process.env.BENCH_CPU_PROF;
const profArgs = profDir ? `--cpu-prof --cpu-prof-dir=${profDir}` : '';
const intervalMs = 2000;
const cpuacct = '/sys/fs/cgroup/cpuacct';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const usageSec = (cg: string) => {
  try {
    return Number(readFileSync(join(cg, 'cpuacct.usage'), 'utf8')) / 1e9;
  } catch {
    return 0;
  }
};
/** CPU seconds of this process's waited-for children (utime + stime of /proc/self/stat). */
const childCpuSec = () => {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) / 100; // cutime, cstime: fields 16, 17 (clock ticks)
};

async function pool<T>(items: T[], width: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (i < items.length) await fn(items[i++]);
    }),
  );
}

class Agent {
  readonly dir = mkdtempSync('/tmp/flt-bench-hc-');
  readonly dataRoot = join(this.dir, 'd');
  readonly execRoot = join(this.dir, 'r');
  readonly socketPath = join(this.execRoot, 'agent.sock');
  readonly cgroup = join(cpuacct, `flotilla-bench-health-${process.pid}`);
  private proc?: ChildProcess;

  constructor(private readonly mode: string) {}

  get env() {
    return {
      ...process.env,
      FLOTILLA_HOST: `unix://${this.socketPath}`,
      FLOTILLA_CONFIG: join(this.dir, 'cli'),
    };
  }

  async start() {
    mkdirSync(this.cgroup, { recursive: true });
    const agentEnv: NodeJS.ProcessEnv = { ...process.env, FLOTILLA_LOG_LEVEL: 'warn' };
    if (this.mode === 'runc-exec') agentEnv.FLOTILLA_PROBE_HELPER = 'none';
    const args = ['agent', '--data-root', this.dataRoot, '--exec-root', this.execRoot];
    this.proc = spawn(
      'sh',
      [
        '-c',
        `echo $$ > ${this.cgroup}/cgroup.procs && exec node ${profArgs} "$@"`,
        'sh',
        cli,
        ...args,
        '--node-subnet',
        '10.251.41.0/24',
      ],
      { stdio: 'ignore', env: agentEnv },
    );
    for (let i = 0; i < 300 && !existsSync(this.socketPath); i++) await sleep(100);
    this.cli(['load'], await dockerArchive(await busyboxImage(), 'busybox:latest'));
  }

  cli(args: string[], input?: Buffer): string {
    return execFileSync('node', [cli, ...args], {
      env: this.env,
      input,
      maxBuffer: 1 << 26,
    }).toString();
  }

  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          method,
          path,
          headers: body ? { 'content-type': 'application/json' } : {},
        },
        (res) => {
          let b = '';
          res.on('data', (c: Buffer) => (b += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
        },
      );
      req.on('error', reject);
      req.end(body ? JSON.stringify(body) : undefined);
    });
  }

  record(id: string): {
    state: { health?: { Status: string; Log: { Start: string; ExitCode: number }[] } };
  } {
    return JSON.parse(
      readFileSync(join(this.dataRoot, 'containers', id, 'container.json'), 'utf8'),
    );
  }

  async stop() {
    this.proc?.kill('SIGTERM');
    if (this.proc && this.proc.exitCode === null)
      await new Promise((r) => this.proc!.once('exit', r));
    await removeAgentNetwork(this.dataRoot);
    rmSync(this.dir, { recursive: true, force: true });
    try {
      rmdirSync(this.cgroup);
    } catch {
      /* a process still in it: left for the next run */
    }
  }
}

async function measure(mode: string): Promise<Record<string, unknown>> {
  const agent = new Agent(mode);
  await agent.start();
  const ids: string[] = [];
  try {
    await pool(
      Array.from({ length: containers }, (_, i) => i),
      4,
      async (i) => {
        const c = await agent.api('POST', '/containers/create', {
          image: 'busybox',
          name: `hc${i}`,
          cmd: ['sleep', '3600'],
          network: 'none',
          healthcheck: { test: ['CMD-SHELL', check], intervalMs, timeoutMs: 10_000, retries: 3 },
        });
        if (c.status !== 200) throw new Error(`create: ${c.body}`);
        const id = (JSON.parse(c.body) as { Id: string }).Id;
        ids.push(id);
        const s = await agent.api('POST', `/containers/${id}/start`);
        if (s.status !== 204) throw new Error(`start: ${s.body}`);
      },
    );
    const healthy = () =>
      ids.filter((id) => agent.record(id).state.health?.Status === 'healthy').length;
    for (let i = 0; i < 120 && healthy() < ids.length; i++) await sleep(500);
    const healthyAtStart = healthy();
    const cgs = ids.map((id) => join(cpuacct, 'flotilla', id));
    const cpu = () => ({
      agent: usageSec(agent.cgroup),
      ctrs: cgs.reduce((a, c) => a + usageSec(c), 0),
    });
    const seen = ids.map(() => new Set<string>());
    const t0 = Date.now();
    const c0 = cpu();
    let failed = 0;
    const collect = () => {
      ids.forEach((id, i) => {
        for (const e of agent.record(id).state.health?.Log ?? []) {
          const at = Date.parse(e.Start);
          if (at >= t0 && at < t1 && !seen[i].has(e.Start)) {
            seen[i].add(e.Start);
            if (e.ExitCode !== 0) failed++;
          }
        }
      });
    };
    let t1 = Number.MAX_SAFE_INTEGER;
    while (Date.now() - t0 < windowSec * 1000) {
      await sleep(Math.min(4000, t0 + windowSec * 1000 - Date.now()));
      collect();
    }
    const c1 = cpu();
    t1 = Date.now();
    collect();
    const secs = (t1 - t0) / 1000;
    const checks = seen.reduce((a, s) => a + s.size, 0);
    const total = c1.agent - c0.agent + (c1.ctrs - c0.ctrs);
    return {
      mode,
      containers,
      healthyAtStart,
      windowSec: round(secs),
      checks,
      failedChecks: failed,
      checksPerSec: round(checks / secs),
      expectedChecksPerSec: round(containers / (intervalMs / 1000)),
      cpuSeconds: round(total, 2),
      agentCgroupCpuSeconds: round(c1.agent - c0.agent, 2),
      containerCgroupsCpuSeconds: round(c1.ctrs - c0.ctrs, 2),
      cpuMsPerCheck: round((total * 1000) / Math.max(1, checks), 2),
      shareOfOneCore: round(total / secs, 3),
      loadavg: loadavg().map((x) => round(x)),
      ...(mode === 'probe-server' ? {} : { runcExecReference: runcExecReference(agent, ids[0]) }),
    };
  } finally {
    await pool(ids, 4, async (id) => {
      await agent.api('DELETE', `/containers/${id}?force=1`);
    });
    await agent.stop();
  }
}

/** `runc exec` of the same check by hand: CPU of runc and its children per exec, and wall time. */
function runcExecReference(agent: Agent, id: string) {
  const runs = 30;
  const c0 = childCpuSec();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++)
    execFileSync('runc', ['--root', join(agent.execRoot, 'runc'), 'exec', id, 'sh', '-c', check]);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6 / runs;
  return {
    runs,
    cpuMsPerExec: round(((childCpuSec() - c0) * 1000) / runs, 1),
    wallMsPerExec: round(wallMs, 1),
  };
}

async function main() {
  const results = [];
  const withDocker = dockerAnswers();
  for (const mode of modes) {
    if (mode === 'docker' && !withDocker) continue;
    const run =
      mode === 'docker' ? measureDocker(containers, windowSec, check, intervalMs) : measure(mode);
    results.push(await run.catch((err: unknown) => ({ mode, error: String(err) })));
  }
  const docker = !withDocker
    ? 'no engine'
    : modes.includes('docker')
      ? 'measured'
      : 'not asked (add the docker mode)';
  writeFileSync(
    1,
    `${JSON.stringify({ check, intervalMs, results, docker, host: { cpus: cpus().length } }, null, 2)}\n`,
  );
}

await main();
