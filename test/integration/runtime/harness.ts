// Starts a private agent (own data and exec roots, own node subnet) from a one-file bundle of the
// CLI, loads a busybox image into its ImageService with `flotilla load`, and runs `flotilla`
// commands against it (asynchronously, so tests in a file can run concurrently). Everything is
// torn down by pid and path; `leftovers()` lists whatever the runtime left on the host.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import tar from 'tar-stream';
import {
  buildImage,
  busyboxLayer,
  type BuiltImage,
  type LayerEntry,
} from '../../harness/image-builder.js';
import { afterAll, beforeAll, expect } from 'vitest';
import { removeAgentNetwork } from '../../harness/agent-network.js';
import { bundleCli as bundleHarnessCli, cliBundlePath } from '../../harness/cli-bundle.js';

export const bundlePath = cliBundlePath('runtime');

export const bundleCli = (): Promise<void> => bundleHarnessCli('runtime');

/** A second layer on the harness's busybox: an `app` user with a supplementary group, seed data. */
export function testLayer(): LayerEntry[] {
  return [
    { type: 'dir', path: 'etc' },
    {
      type: 'file',
      path: 'etc/passwd',
      content: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n',
    },
    { type: 'file', path: 'etc/group', content: 'root:x:0:\napp:x:1000:\nextra:x:2000:app\n' },
    { type: 'dir', path: 'home' },
    { type: 'dir', path: 'home/app', uid: 1000, gid: 1000 },
    { type: 'dir', path: 'data' },
    { type: 'file', path: 'data/seed.txt', content: 'seeded\n' },
    { type: 'dir', path: 'www' },
    { type: 'file', path: 'www/index.html', content: 'hello from flotilla\n' },
    ...['insmod', 'mount', 'id', 'stat', 'find'].map((a): LayerEntry => ({
      type: 'symlink',
      path: `bin/${a}`,
      target: 'busybox',
    })),
  ];
}

export async function busyboxImage(config: object = { Cmd: ['sh'] }): Promise<BuiltImage> {
  return buildImage({
    layers: [busyboxLayer(), testLayer()],
    format: 'docker',
    compression: 'none',
    config: config as never,
  });
}

/** `docker save` format: what `flotilla load` reads. */
export async function dockerArchive(img: BuiltImage, repoTag: string): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => pack.on('end', () => r()));
  pack.entry({ name: 'config.json' }, img.configBytes);
  img.layers.forEach((l, i) => pack.entry({ name: `layer${i}.tar` }, l.bytes));
  pack.entry(
    { name: 'manifest.json' },
    JSON.stringify([
      {
        Config: 'config.json',
        RepoTags: [repoTag],
        Layers: img.layers.map((_, i) => `layer${i}.tar`),
      },
    ]),
  );
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliStream {
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
  stop(): Promise<CliStream>;
}

/**
 * Polls `check` (every `everyMs`) until it returns something truthy, and returns that; throws
 * with `what` after `timeoutMs`. Generous defaults: the test machine is small and shared.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  { timeoutMs = 60_000, everyMs = 100 } = {},
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

let subnetSeq = 0;

export class TestAgent {
  readonly dir = mkdtempSync('/tmp/flt-it-');
  readonly dataRoot = join(this.dir, 'd');
  readonly execRoot = join(this.dir, 'r');
  /** Unique per agent in this process; 10.251.2x.0/24 stays clear of other suites' agents. */
  readonly subnet: string;
  private proc?: ChildProcess;

  /**
   * `extraArgs`: more `flotilla agent` flags (e.g. --metrics-addr); `subnet`: a node subnet of the
   * file's own, clear of a 10.251.2x bridge another suite may have left behind.
   */
  constructor(
    private readonly extraArgs: string[] = [],
    subnet?: string,
  ) {
    this.subnet = subnet ?? `10.251.${20 + subnetSeq++}.0/24`;
  }

  get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      FLOTILLA_HOST: `unix://${join(this.execRoot, 'agent.sock')}`,
      FLOTILLA_CONFIG: join(this.dir, 'cli'),
    };
  }

  /** Where the agent's stderr goes (appended across restarts): read when it fails to start. */
  get stderrPath(): string {
    return join(this.dir, 'agent.stderr');
  }

  /** The last `bytes` of what the agent wrote to stderr (all its starts). */
  stderrTail(bytes = 4000): string {
    try {
      return readFileSync(this.stderrPath, 'utf8').slice(-bytes);
    } catch {
      return '';
    }
  }

  async start(): Promise<void> {
    rmSync(join(this.execRoot, 'agent.sock'), { force: true });
    // To a file, not a pipe: the agent's children (conmon) must not hold a pipe to this process,
    // and the file outlives a crashed test worker for a post-mortem.
    const stderr = openSync(this.stderrPath, 'a', 0o600);
    const offset = fstatSync(stderr).size;
    const p = spawn(
      'node',
      [
        bundlePath,
        'agent',
        '--data-root',
        this.dataRoot,
        '--exec-root',
        this.execRoot,
        '--node-subnet',
        this.subnet,
        ...this.extraArgs,
      ],
      {
        stdio: ['ignore', 'ignore', stderr],
        env: { ...process.env, FLOTILLA_LOG_LEVEL: 'warn' },
      },
    );
    closeSync(stderr);
    this.proc = p;
    for (let i = 0; i < 300; i++) {
      if ((await this.cli(['ps'])).status === 0) return;
      if (p.exitCode !== null || p.signalCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const how =
      p.exitCode !== null
        ? `exited with status ${p.exitCode}`
        : p.signalCode !== null
          ? `was killed by ${p.signalCode}`
          : 'did not answer `ps` after 300 tries';
    const said = readFileSync(this.stderrPath).subarray(offset).toString().slice(-4000).trimEnd();
    throw new Error(
      `agent did not come up: it ${how} (subnet ${this.subnet}, dir ${this.dir}); ` +
        `its stderr:\n${said || '(nothing)'}`,
    );
  }

  /** Loads the busybox test image as `busybox:latest` (and any extra tags). */
  async loadBusybox(...tags: string[]): Promise<BuiltImage> {
    const img = await busyboxImage();
    for (const tag of ['busybox:latest', ...tags]) {
      const r = await this.cli(['load'], await dockerArchive(img, tag));
      if (r.status !== 0) throw new Error(`load failed: ${r.stderr}`);
    }
    return img;
  }

  /** SIGKILL: simulates a crash (containers keep running under conmon). */
  crash(): void {
    this.proc?.kill('SIGKILL');
    this.proc = undefined;
  }

  async stop(): Promise<void> {
    if (!this.proc) return;
    const p = this.proc;
    // An agent that refused to start has exited already: no 'exit' event is coming.
    if (p.exitCode !== null || p.signalCode !== null) {
      this.proc = undefined;
      return;
    }
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
    this.proc = undefined;
  }

  cli(args: string[], input?: string | Buffer, timeoutMs = 90_000): Promise<CliResult> {
    return new Promise((resolve) => {
      const p = spawn('node', ['--', bundlePath, ...args], { env: this.env });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
      p.stdout.on('data', (d: Buffer) => out.push(d));
      p.stderr.on('data', (d: Buffer) => err.push(d));
      p.on('close', (status) => {
        clearTimeout(timer);
        resolve({
          status,
          stdout: Buffer.concat(out).toString(),
          stderr: Buffer.concat(err).toString(),
        });
      });
      p.stdin.on('error', () => undefined);
      p.stdin.end(input);
    });
  }

  /**
   * A long-running CLI command (`events`, `attach`, `logs -f`) whose output is read while it runs;
   * `stop()` sends SIGTERM to that one process and resolves with everything it printed.
   */
  stream(args: string[]): CliStream {
    const p = spawn('node', ['--', bundlePath, ...args], { env: this.env });
    const s: CliStream = {
      stdout: '',
      stderr: '',
      exited: new Promise((r) => p.on('close', (code) => r(code))),
      stop: async () => {
        if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
        await s.exited;
        return s;
      },
    };
    p.stdout.on('data', (d: Buffer) => (s.stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (s.stderr += d.toString()));
    p.stdin.end();
    return s;
  }

  async inspect(name: string): Promise<Record<string, any>> {
    const r = await this.cli(['inspect', name]);
    if (r.status !== 0) throw new Error(`inspect ${name}: ${r.stderr}`);
    return (JSON.parse(r.stdout) as Record<string, any>[])[0];
  }

  /** The agent's record of a container, read from disk (cheap enough to poll, unlike the CLI). */
  record(name: string): Record<string, any> | undefined {
    for (const id of this.ids()) {
      try {
        const r = JSON.parse(
          readFileSync(join(this.dataRoot, 'containers', id, 'container.json'), 'utf8'),
        ) as Record<string, any>;
        if (r.name === name) return r;
      } catch {
        // being written or removed
      }
    }
    return undefined;
  }

  ids(): string[] {
    const d = join(this.dataRoot, 'containers');
    return existsSync(d) ? readdirSync(d) : [];
  }

  /** What the runtime may leave on the host: mounts, snapshots, cgroups, runc state, conmon. */
  leftovers(ids: string[]): string[] {
    const found: string[] = [];
    for (const l of readFileSync('/proc/self/mountinfo', 'utf8').split('\n'))
      if (l.split(' ')[4]?.startsWith(this.dir)) found.push(`mount ${l.split(' ')[4]}`);
    const snaps = join(this.dataRoot, 'image', 'snapshots');
    if (existsSync(snaps)) for (const s of readdirSync(snaps)) found.push(`snapshot ${s}`);
    for (const id of ids)
      for (const c of ['memory', 'pids', 'cpu', 'cpuacct', 'blkio', 'devices', 'freezer'])
        if (existsSync(`/sys/fs/cgroup/${c}/flotilla/${id}`))
          found.push(`cgroup ${c}/flotilla/${id}`);
    const runcRoot = join(this.execRoot, 'runc');
    if (existsSync(runcRoot)) for (const f of readdirSync(runcRoot)) found.push(`runc state ${f}`);
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if ((cmd.startsWith('conmon') || cmd.includes('/conmon\0')) && cmd.includes(this.execRoot))
          found.push(`conmon ${pid}`);
      } catch {
        // gone
      }
    }
    return found;
  }

  /** What is left of one container on the host (while others keep running). */
  leftoversOf(id: string): string[] {
    const found: string[] = [];
    for (const l of readFileSync('/proc/self/mountinfo', 'utf8').split('\n'))
      if (l.split(' ')[4]?.includes(id)) found.push(`mount ${l.split(' ')[4]}`);
    if (existsSync(join(this.dataRoot, 'image', 'snapshots', id))) found.push(`snapshot ${id}`);
    for (const c of ['memory', 'pids', 'cpu', 'cpuacct', 'blkio', 'devices', 'freezer'])
      if (existsSync(`/sys/fs/cgroup/${c}/flotilla/${id}`))
        found.push(`cgroup ${c}/flotilla/${id}`);
    if (existsSync(join(this.execRoot, 'runc', id))) found.push(`runc state ${id}`);
    if (existsSync(join(this.execRoot, 'b', id.slice(0, 16)))) found.push(`bundle ${id}`);
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmd.includes('conmon') && cmd.includes(`\0${id}\0`)) found.push(`conmon ${pid}`);
      } catch {
        // gone
      }
    }
    return found;
  }

  /**
   * Removes every container (with its anonymous volumes) and every volume, so a failed test, or
   * the failed first attempt of a retried one, leaves nothing that trips the next.
   */
  async removeAll(): Promise<void> {
    const ids = this.ids();
    if (ids.length) await this.cli(['rm', '-f', '-v', ...ids]);
    const vols = join(this.dataRoot, 'volumes');
    const names = existsSync(vols) ? readdirSync(vols) : [];
    if (names.length) await this.cli(['volume', 'rm', '-f', ...names]);
  }

  async destroy(): Promise<void> {
    const ids = this.ids();
    if (ids.length) await this.cli(['rm', '-f', '-v', ...ids]);
    await this.stop();
    await removeAgentNetwork(this.dataRoot);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Registers the hooks every runtime test file needs: start the agent with busybox loaded before
 * the file, and at the end remove its containers, stop it and assert it left nothing behind.
 * `cleanup` runs after the agent is gone (e.g. a registry the file started).
 */
export function useTestAgent(agent: TestAgent, cleanup?: () => Promise<void>): void {
  beforeAll(async () => {
    await bundleCli();
    await agent.start();
    await agent.loadBusybox();
  });
  afterAll(async () => {
    const ids = agent.ids();
    await agent.destroy();
    await cleanup?.();
    expect(agent.leftovers(ids)).toEqual([]);
  });
}
