// A real cluster for end-to-end tests: three network namespaces standing in for machines (bridge
// <prefix>-lan, addresses <lan>.11..13), a docker-registry and a manager (embedded etcd) on machine
// 1, one real agent (runc + conmon) per machine, and small busybox images built offline with
// test/harness/image-builder.ts and pushed over the distribution API.
//
// Everything lives under one temporary directory and uses its own names (prefix `fle`, LAN
// 10.98.0 by default), so it never collides with a quickstart (`flt`, 10.99.0). stop() removes
// every process (by PID), container, container namespace, mount, machine and file it created.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdPkiFiles } from '../../manager/etcd/index.js';
import { etcdTlsFlags } from '../harness/etcd-flags.js';
import { buildImage, busyboxLayer, type BuiltImage } from '../harness/image-builder.js';
import { run, runInNetns, type RunResult } from './harness/index.js';

export const repo = join(import.meta.dirname, '..', '..');
const flotillaBin = join(repo, 'bin', 'flotilla');
const machinesScript = join(repo, 'deploy', 'lib', 'machines.sh');

export interface ClusterOptions {
  prefix?: string;
  lan?: string;
  machines?: number;
  /** Machine → size of a tmpfs mounted as that agent's data root (`64m`): a disk that can fill. */
  smallDataRoots?: Record<number, string>;
  /** More `flotilla manager` flags for the first manager (e.g. --metrics-addr). */
  managerArgs?: (c: Cluster) => string[];
  /** More `flotilla agent` flags for machine I's agent. */
  agentArgs?: (c: Cluster, i: number) => string[];
  /** More registries the agents and the manager reach over plain HTTP (beside this.registry). */
  insecureRegistries?: string[];
}

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  exited: boolean;
  log: string;
}

/** Polls `check` until it returns a truthy value; throws with `describe()` on timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 120_000,
  describe?: () => Promise<string>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) {
      const more = describe ? await describe().catch((e: Error) => e.message) : '';
      throw new Error(`timed out waiting for ${what}\n${more}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function jsonLines<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as T);
}

export interface TaskRow {
  id: string;
  slot: number;
  nodeId?: string;
  serviceVersion: number;
  desiredState: string;
  status: { state: string; message?: string; err?: string; containerId?: string };
  resolvedImage?: string;
  spec: { containerSpec: { image: string } };
}

export interface NodeRow {
  id: string;
  description: { hostname: string; addr?: string };
  spec: { availability: string; role: string };
  status: { state: string };
}

export class Cluster {
  readonly prefix: string;
  readonly lan: string;
  readonly n: number;
  readonly smallDataRoots: Record<number, string>;
  readonly insecureRegistries: string[];
  dir = '';
  readonly procs = new Map<string, Proc>();
  readonly context: string;
  token = '';
  managerToken = '';

  constructor(private readonly opts: ClusterOptions = {}) {
    this.prefix = opts.prefix ?? 'fle';
    this.lan = opts.lan ?? '10.98.0';
    this.n = opts.machines ?? 3;
    this.smallDataRoots = opts.smallDataRoots ?? {};
    this.insecureRegistries = opts.insecureRegistries ?? [];
    this.context = `${this.prefix}-e2e`;
  }

  get machines(): number[] {
    return Array.from({ length: this.n }, (_, i) => i + 1);
  }
  ns(i: number): string {
    return `${this.prefix}-m${i}`;
  }
  addr(i: number): string {
    return `${this.lan}.${10 + i}`;
  }
  get registry(): string {
    return `${this.addr(1)}:5000`;
  }
  image(name: string): string {
    return `${this.registry}/e2e/${name}`;
  }
  dataRoot(i: number): string {
    return join(this.dir, `m${i}`);
  }
  execRoot(i: number): string {
    return join(this.dir, `run-m${i}`);
  }
  sock(i: number): string {
    return join(this.execRoot(i), 'agent.sock');
  }
  get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      FLOTILLA_CONFIG: join(this.dir, 'cli'),
      FLOTILLA_LOG_LEVEL: process.env.FLOTILLA_LOG_LEVEL ?? 'info',
    };
  }

  /** A cluster command (through the manager API with the context written by --init). */
  flt(...args: string[]): Promise<RunResult> {
    return run(flotillaBin, ['--context', this.context, ...args], {
      env: this.env,
      timeoutMs: 120_000,
    });
  }
  /** A container command on machine I's agent. */
  fltOn(i: number, ...args: string[]): Promise<RunResult> {
    return run(flotillaBin, ['-H', `unix://${this.sock(i)}`, ...args], {
      env: this.env,
      timeoutMs: 60_000,
    });
  }

  /** Starts CMD inside machine I's network namespace, output to <dir>/logs/NAME.log. */
  startProc(name: string, i: number, cmd: string, args: string[], env = this.env): Proc {
    mkdirSync(join(this.dir, 'logs'), { recursive: true });
    const log = join(this.dir, 'logs', `${name}.log`);
    const fd = openSync(log, 'a');
    // nsenter execs (no fork), so the child's PID is the program's own.
    const child = spawn('nsenter', [`--net=/run/netns/${this.ns(i)}`, cmd, ...args], {
      env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    closeSync(fd);
    const p: Proc = { name, child, pid: child.pid!, exited: false, log };
    child.once('exit', () => (p.exited = true));
    this.procs.set(name, p);
    return p;
  }

  /** Signals a process we started (by PID) and waits for it to exit. */
  async stopProc(name: string, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) {
    const p = this.procs.get(name);
    if (!p || p.exited) return;
    const gone = new Promise<void>((r) => p.child.once('exit', () => r()));
    try {
      process.kill(p.pid, signal);
    } catch {
      return;
    }
    const t = setTimeout(() => {
      try {
        if (!p.exited) process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, graceMs);
    await gone;
    clearTimeout(t);
  }

  logTail(name: string, lines = 30): string {
    const p = this.procs.get(name);
    if (!p || !existsSync(p.log)) return '';
    return readFileSync(p.log, 'utf8').split('\n').slice(-lines).join('\n');
  }

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'fle-e2e-'));
    const up = await run('bash', [machinesScript, 'up', String(this.n), this.prefix], {
      env: { ...process.env, FLT_LAN_PREFIX: this.lan },
    });
    if (up.code !== 0) throw new Error(`machines up failed: ${up.output}`);
    await this.startRegistry();
    this.startManager('manager', 1, [
      '--init',
      '--cluster-name',
      this.context,
      ...(this.opts.managerArgs?.(this) ?? []),
    ]);
    await waitFor(
      'the manager API',
      async () => (await this.flt('cluster', 'info')).code === 0,
      180_000,
      async () => this.logTail('manager'),
    );
    this.token = (await this.flt('cluster', 'join-token', 'worker', '-q')).stdout.trim();
    this.managerToken = (await this.flt('cluster', 'join-token', 'manager', '-q')).stdout.trim();
    if (!this.token.startsWith('FLT-')) throw new Error(`no worker token: ${this.token}`);
    for (const [i, size] of Object.entries(this.smallDataRoots)) {
      mkdirSync(this.dataRoot(Number(i)), { recursive: true });
      const m = await run('mount', [
        '-t',
        'tmpfs',
        '-o',
        `size=${size},mode=0700`,
        'tmpfs',
        this.dataRoot(Number(i)),
      ]);
      if (m.code !== 0) throw new Error(`mounting the data root of m${i}: ${m.output}`);
    }
    for (const i of this.machines) this.startAgent(i, this.token);
    await waitFor(
      `${this.n} ready nodes`,
      async () => (await this.nodes()).filter((x) => x.status.state === 'ready').length === this.n,
      240_000,
      async () => (await this.flt('node', 'ls')).output + this.logTail('agent-m1'),
    );
    await this.pushImages();
  }

  /** A manager on machine I; its gRPC port is 4242 for `manager` and managers on other machines. */
  startManager(name: string, i: number, extra: string[], grpcPort?: number): Proc {
    const root = join(this.dir, name);
    mkdirSync(root, { recursive: true });
    return this.startProc(name, i, flotillaBin, [
      'manager',
      '--data-root',
      root,
      '--exec-root',
      join(this.dir, `run-${name}`),
      '--listen-grpc',
      `0.0.0.0:${grpcPort ?? (name === 'manager' ? 4242 : 4252)}`,
      '--advertise-addr',
      this.addr(i),
      '--no-socket',
      ...this.insecureRegistries.flatMap((r) => ['--insecure-registry', r]),
      ...extra,
    ]);
  }

  /**
   * `flotilla manager` flags that reach the embedded etcd of manager NAME (it listens on its
   * machine's loopback, over TLS with the client certificate under its data root).
   */
  etcdFlags(name = 'manager'): string[] {
    const ports = JSON.parse(readFileSync(join(this.dir, name, 'etcd-ports.json'), 'utf8')) as {
      clientPort: number;
    };
    return etcdTlsFlags(
      `https://127.0.0.1:${ports.clientPort}`,
      etcdPkiFiles(join(this.dir, name, 'etcd-pki')),
    );
  }

  startAgent(i: number, token?: string): Proc {
    mkdirSync(this.dataRoot(i), { recursive: true });
    const args = [
      'agent',
      '--data-root',
      this.dataRoot(i),
      '--exec-root',
      this.execRoot(i),
      '--insecure-registry',
      this.registry,
      ...this.insecureRegistries.flatMap((r) => ['--insecure-registry', r]),
      '--node-subnet',
      `10.248.${i}.0/24`,
      '--advertise-addr',
      this.addr(i),
      '--hostname',
      this.ns(i),
      '--join',
      `${this.addr(1)}:4242`,
    ];
    if (token) args.push('--token', token);
    args.push(...(this.opts.agentArgs?.(this, i) ?? []));
    return this.startProc(`agent-m${i}`, i, flotillaBin, args, {
      ...this.env,
      FLOTILLA_INSECURE_REGISTRIES: this.registry,
    });
  }

  private async startRegistry(): Promise<void> {
    const dir = join(this.dir, 'registry');
    mkdirSync(join(dir, 'data'), { recursive: true });
    const config = join(dir, 'config.yml');
    writeFileSync(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: warn',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(dir, 'data')}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: ${this.registry}`,
        '',
      ].join('\n'),
    );
    this.startProc('registry', 1, '/usr/bin/docker-registry', ['serve', config]);
    await waitFor(
      'the registry',
      async () => (await fetch(`http://${this.registry}/v2/`)).status === 200,
      60_000,
      async () => this.logTail('registry'),
    );
  }

  /**
   * web:v1 and web:v2 (busybox httpd answering "web vN on HOST" on port $PORT, default 80), and
   * crash:v1 (exits at once).
   */
  private async pushImages(): Promise<void> {
    const base = busyboxLayer();
    const web = (v: string) =>
      buildImage({
        layers: [
          base,
          [
            { type: 'dir', path: 'www' },
            { type: 'file', path: 'www/version', content: `web ${v}\n` },
            {
              type: 'file',
              path: 'start.sh',
              mode: 0o755,
              content:
                '#!/bin/sh\n' +
                'printf "web %s on %s\\n" "$(cat /www/version | cut -d" " -f2)" "$(hostname)" ' +
                '> /www/index.html\nexec httpd -f -p "${PORT:-80}" -h /www\n',
            },
          ],
        ],
        config: { Cmd: ['/start.sh'], ExposedPorts: { '80/tcp': {} } },
      });
    await this.push('e2e/web', 'v1', await web('v1'));
    await this.push('e2e/web', 'v2', await web('v2'));
    await this.push(
      'e2e/crash',
      'v1',
      await buildImage({ layers: [base], config: { Cmd: ['/bin/sh', '-c', 'exit 3'] } }),
    );
  }

  /** Pushes IMG as NAME:TAG to this.registry, or to another with an Authorization header. */
  async push(
    name: string,
    tag: string,
    img: BuiltImage,
    to: { registry?: string; authorization?: string } = {},
  ): Promise<void> {
    const registry = to.registry ?? this.registry;
    const auth: Record<string, string> = to.authorization
      ? { authorization: to.authorization }
      : {};
    const url = `http://${registry}/v2/${name}`;
    const blobs = [
      ...img.layers.map((l) => ({ digest: l.digest, bytes: l.bytes })),
      { digest: img.configDigest, bytes: img.configBytes },
    ];
    for (const b of blobs) {
      const head = await fetch(`${url}/blobs/${b.digest}`, { method: 'HEAD', headers: auth });
      if (head.status === 200) continue;
      const start = await fetch(`${url}/blobs/uploads/`, { method: 'POST', headers: auth });
      await start.arrayBuffer();
      const loc = new URL(start.headers.get('location')!, `http://${registry}`);
      loc.searchParams.set('digest', b.digest);
      const put = await fetch(loc, {
        method: 'PUT',
        body: b.bytes,
        headers: { 'content-type': 'application/octet-stream', ...auth },
      });
      if (put.status !== 201) throw new Error(`blob push ${put.status}: ${await put.text()}`);
    }
    const m = await fetch(`${url}/manifests/${tag}`, {
      method: 'PUT',
      body: img.manifestBytes,
      headers: { 'content-type': img.manifestMediaType, ...auth },
    });
    if (m.status !== 201) throw new Error(`manifest push ${m.status}: ${await m.text()}`);
  }

  async nodes(): Promise<NodeRow[]> {
    const r = await this.flt('node', 'ls', '--format', 'json');
    if (r.code !== 0) throw new Error(r.output);
    return jsonLines<NodeRow>(r.stdout);
  }

  async nodeIdOf(i: number): Promise<string> {
    const n = (await this.nodes()).find((x) => x.description.hostname === this.ns(i));
    if (!n) throw new Error(`no node ${this.ns(i)}`);
    return n.id;
  }

  async tasks(service: string): Promise<TaskRow[]> {
    const r = await this.flt('service', 'ps', service, '--format', 'json');
    if (r.code !== 0) throw new Error(r.output);
    return jsonLines<TaskRow>(r.stdout);
  }

  /** Tasks that should run and do. */
  async running(service: string): Promise<TaskRow[]> {
    return (await this.tasks(service)).filter(
      (t) => t.desiredState === 'running' && t.status.state === 'running',
    );
  }

  /**
   * Names of the running containers of SERVICE's tasks on machine I, from that agent's engine API.
   * Task containers are named `<service name or id prefix>.<slot or node>.<task id>`.
   */
  async containersOn(i: number, service: string | Set<string>): Promise<string[]> {
    const ids =
      typeof service === 'string' ? new Set((await this.tasks(service)).map((t) => t.id)) : service;
    const r = await this.fltOn(i, 'ps', '--format', '{{.Names}}');
    if (r.code !== 0) throw new Error(`ps on m${i}: ${r.output}`);
    return r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => ids.has(l.slice(l.lastIndexOf('.') + 1)));
  }

  /**
   * Waits until SERVICE has exactly WANT running tasks, every one in its own slot (replicated) or
   * on its own node (global), none still pending, and no more containers than tasks on the agents.
   */
  async converged(service: string, want: number, timeoutMs = 240_000): Promise<TaskRow[]> {
    return waitFor(
      `${service}: ${want} running tasks`,
      async () => {
        const all = await this.tasks(service);
        const live = all.filter((t) => t.desiredState === 'running');
        const run = live.filter((t) => t.status.state === 'running');
        if (live.length !== want || run.length !== want) return undefined;
        const keys = new Set(run.map((t) => (t.slot > 0 ? `s${t.slot}` : `n${t.nodeId}`)));
        if (keys.size !== want) return undefined;
        let containers = 0;
        for (const i of this.machines) containers += (await this.containersOn(i, service)).length;
        return containers === want ? run : undefined;
      },
      timeoutMs,
      async () => (await this.flt('service', 'ps', service)).output,
    );
  }

  /** Hostname → number of running tasks of SERVICE. */
  async spread(service: string): Promise<Record<string, number>> {
    const byId = new Map((await this.nodes()).map((n) => [n.id, n.description.hostname]));
    const out: Record<string, number> = {};
    for (const t of await this.running(service)) {
      const h = byId.get(t.nodeId ?? '') ?? '?';
      out[h] = (out[h] ?? 0) + 1;
    }
    return out;
  }

  /** Rules mentioning flotilla inside machine I's namespace (iptables-save | grep -i flotilla). */
  async flotillaRules(i: number): Promise<string[]> {
    const r = await runInNetns(this.ns(i), 'iptables-save', []);
    return r.stdout
      .split('\n')
      .filter((l) => /flotilla/i.test(l) && !l.startsWith('#') && !l.startsWith(':'));
  }

  /** Container network namespaces of our agents: f<hash of the data root>-<id>. */
  async containerNetns(): Promise<string[]> {
    const hashes = this.machines.map((i) =>
      createHash('sha256').update(this.dataRoot(i)).digest('hex').slice(0, 3),
    );
    const re = new RegExp(`^f(${hashes.join('|')})-[0-9a-f]{12}$`);
    const r = await run('ip', ['netns', 'list']);
    return r.stdout
      .split('\n')
      .map((l) => l.split(' ')[0])
      .filter((x) => re.test(x));
  }

  /** Mounts below our directory. */
  async mounts(): Promise<string[]> {
    const text = await readFile('/proc/self/mountinfo', 'utf8');
    return text
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((m): m is string => !!m && m.startsWith(this.dir + '/'));
  }

  async stop(): Promise<void> {
    if (!this.dir) return;
    for (const name of [...this.procs.keys()].filter((x) => x.startsWith('agent')))
      await this.stopProc(name, 'SIGTERM', 10_000);
    for (const name of [...this.procs.keys()].filter((x) => x.startsWith('manager')))
      await this.stopProc(name, 'SIGTERM', 10_000);
    await this.stopProc('registry', 'SIGTERM', 5_000);
    // Containers outlive their agent by design (conmon): remove them through runc.
    for (const i of this.machines) {
      const root = join(this.execRoot(i), 'runc');
      if (!existsSync(root)) continue;
      const ids = (await run('runc', ['--root', root, 'list', '-q'])).stdout.split('\n');
      for (const id of ids.filter(Boolean)) {
        await run('runc', ['--root', root, 'kill', id, 'KILL']);
        await run('runc', ['--root', root, 'delete', '--force', id]);
      }
    }
    for (const ns of await this.containerNetns()) {
      const pids = (await run('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean);
      for (const pid of pids) killPid(Number(pid), 'SIGKILL');
      await run('ip', ['netns', 'del', ns]);
    }
    // Whatever else runs from our directory (conmon, the etcd of a killed manager), by PID.
    for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
      for (const pid of await pidsUsing(this.dir)) killPid(pid, sig);
      await new Promise((r) => setTimeout(r, 1000));
    }
    await run('bash', [machinesScript, 'down', this.prefix], {
      env: { ...process.env, FLT_LAN_PREFIX: this.lan },
    });
    for (const m of (await this.mounts()).sort().reverse()) {
      const r = await run('umount', [m]);
      if (r.code !== 0) await run('umount', ['-l', m]);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

function killPid(pid: number, sig: NodeJS.Signals) {
  try {
    process.kill(pid, sig);
  } catch {
    // gone
  }
}

async function pidsUsing(dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const p of await readdir('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const cmd = (await readFile(`/proc/${p}/cmdline`, 'utf8')).split('\0').join(' ');
      if (cmd.includes(`${dir}/`)) out.push(Number(p));
    } catch {
      // exited
    }
  }
  return out;
}

/** The PIDs of every process inside network namespace NS. */
export async function netnsPids(ns: string): Promise<number[]> {
  const r = await run('ip', ['netns', 'pids', ns]);
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

/** Starts C before the file's tests (stopping whatever started if that fails) and stops it after. */
export function useCluster(c: Cluster): void {
  beforeAll(async () => {
    try {
      await c.start();
    } catch (err) {
      await c.stop();
      throw err;
    }
  });
  afterAll(async () => {
    await c.stop();
  });
}

/** One request of a client round: which machine, curl's exit code, the answer. */
export interface Probe {
  machine: number;
  code: number;
  body: string;
}

/**
 * Requests PORT on every machine, in rounds (all machines at once, then a pause), until stopped;
 * stop() returns the rounds. curl waits up to 20 s: long enough that a slow answer on a loaded
 * 2-core machine is not taken for a hang, while a rule left pointing at a gone task never answers.
 */
export function clientLoop(c: Cluster, port: number, pauseMs = 200) {
  const rounds: Probe[][] = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      rounds.push(
        await Promise.all(
          c.machines.map(async (i) => {
            const r = await run('curl', [
              '-sS',
              '--fail',
              '--max-time',
              '20',
              `http://${c.addr(i)}:${port}/`,
            ]);
            return { machine: i, code: r.code, body: r.stdout.trim() };
          }),
        ),
      );
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  })();
  return {
    async stop(): Promise<Probe[][]> {
      stopped = true;
      await done;
      return rounds;
    },
  };
}
