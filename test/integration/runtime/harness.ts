// Starts a private agent (own data and exec roots) from a one-file bundle of the CLI, with a
// busybox directory image, and runs `flotilla` commands against it. Everything is torn down by
// pid and path; `leftovers()` lists whatever the runtime left on the host.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { build } from 'rolldown';

const repo = new URL('../../../', import.meta.url).pathname;
export const bundlePath = join(repo, 'node_modules/.flotilla-rt/flotilla.mjs');

export async function bundleCli(): Promise<void> {
  const entry = join(repo, 'node_modules/.flotilla-rt/entry.ts');
  mkdirSync(join(repo, 'node_modules/.flotilla-rt'), { recursive: true });
  writeFileSync(
    entry,
    `import { main } from '${repo}cli/main.ts';\nmain(process.argv.slice(2)).then((c) => { process.exitCode = c; });\n`,
  );
  await build({
    input: entry,
    platform: 'node',
    external: [/^[^./]/],
    output: { file: bundlePath, format: 'esm', codeSplitting: false } as never,
    logLevel: 'silent',
  });
}

export function makeBusyboxImage(
  imagesRoot: string,
  name = 'busybox',
  config: object = { Cmd: ['sh'] },
): void {
  const root = join(imagesRoot, name, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'root', 'home/app', 'data'])
    mkdirSync(join(root, d), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  const applets = spawnSync('/bin/busybox', ['--list'])
    .stdout.toString()
    .split('\n')
    .filter(Boolean);
  for (const a of applets)
    if (a !== 'busybox' && !existsSync(join(root, 'bin', a)))
      symlinkSync('busybox', join(root, 'bin', a));
  writeFileSync(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n',
  );
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\napp:x:1000:\nextra:x:2000:app\n');
  writeFileSync(join(root, 'data/seed.txt'), 'seeded\n');
  writeFileSync(join(imagesRoot, name, 'config.json'), JSON.stringify(config));
}

export class TestAgent {
  readonly dir = mkdtempSync('/tmp/flt-it-');
  readonly dataRoot = join(this.dir, 'd');
  readonly execRoot = join(this.dir, 'r');
  private proc?: ChildProcess;

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, FLOTILLA_HOST: `unix://${join(this.execRoot, 'agent.sock')}` };
  }

  async start(): Promise<void> {
    makeBusyboxImage(join(this.dataRoot, 'runtime/images'));
    rmSync(join(this.execRoot, 'agent.sock'), { force: true });
    this.proc = spawn(
      'node',
      [bundlePath, 'agent', '--data-root', this.dataRoot, '--exec-root', this.execRoot],
      {
        stdio: ['ignore', 'ignore', 'ignore'],
        detached: false,
      },
    );
    for (let i = 0; i < 200; i++) {
      if (this.cli(['ps']).status === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('agent did not come up');
  }

  /** SIGKILL: simulates a crash (containers keep running under conmon). */
  crash(): void {
    this.proc?.kill('SIGKILL');
    this.proc = undefined;
  }

  async stop(): Promise<void> {
    if (!this.proc) return;
    const p = this.proc;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
    this.proc = undefined;
  }

  cli(args: string[], input?: string, timeoutMs = 60_000) {
    const r = spawnSync('node', [bundlePath, ...args], {
      env: this.env,
      input,
      timeout: timeoutMs,
    });
    return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  }

  ids(): string[] {
    const d = join(this.dataRoot, 'containers');
    return existsSync(d) ? readdirSync(d) : [];
  }

  /** What the runtime may leave on the host: mounts, cgroups, runc state, conmon processes. */
  leftovers(ids: string[]): string[] {
    const found: string[] = [];
    for (const l of readFileSync('/proc/self/mountinfo', 'utf8').split('\n'))
      if (l.split(' ')[4]?.startsWith(this.dir)) found.push(`mount ${l.split(' ')[4]}`);
    for (const id of ids)
      for (const c of ['memory', 'pids', 'cpu', 'cpuacct', 'blkio', 'devices', 'freezer'])
        if (existsSync(`/sys/fs/cgroup/${c}/flotilla/${id}`))
          found.push(`cgroup ${c}/flotilla/${id}`);
    const runcRoot = join(this.execRoot, 'runc');
    if (existsSync(runcRoot)) for (const f of readdirSync(runcRoot)) found.push(`runc state ${f}`);
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmd.startsWith('conmon') || cmd.includes('/conmon\0'))
          if (cmd.includes(this.execRoot)) found.push(`conmon ${pid}`);
      } catch {
        // gone
      }
    }
    return found;
  }

  async destroy(): Promise<void> {
    const ids = this.ids();
    if (ids.length) this.cli(['rm', '-f', '-v', ...ids]);
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
