// Helpers for the image integration tests: upload harness-built images to a registry over the
// plain distribution API (independent of Flotilla's own push), run a real agent, drive the CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuiltImage } from '../../harness/image-builder.js';
import { removeAgentNetwork } from '../../harness/agent-network.js';

const repoRoot = new URL('../../../', import.meta.url).pathname;
export const flotillaBin = join(repoRoot, 'bin/flotilla');

/** Uploads every blob and the manifest of `img` as `${host}/${repo}:${tag}`. */
export async function uploadImage(
  host: string,
  repo: string,
  tag: string,
  img: BuiltImage,
  auth?: { username: string; password: string },
): Promise<void> {
  const headers: Record<string, string> = auth
    ? {
        authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      }
    : {};
  const base = `http://${host}/v2/${repo}`;
  const blobs: [string, Buffer][] = [
    [img.configDigest, img.configBytes],
    ...img.layers.map((l) => [l.digest, l.bytes] as [string, Buffer]),
  ];
  for (const [digest, bytes] of blobs) {
    const start = await fetch(`${base}/blobs/uploads/`, { method: 'POST', headers });
    if (start.status !== 202) throw new Error(`upload start: ${start.status}`);
    const loc = new URL(start.headers.get('location') as string, `http://${host}`);
    loc.searchParams.set('digest', digest);
    const put = await fetch(loc, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    if (put.status !== 201) throw new Error(`upload ${digest}: ${put.status} ${await put.text()}`);
  }
  const m = await fetch(`${base}/manifests/${tag}`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': img.manifestMediaType },
    body: img.manifestBytes,
  });
  if (m.status !== 201) throw new Error(`manifest: ${m.status} ${await m.text()}`);
}

export interface TestAgent {
  dir: string;
  dataRoot: string;
  host: string;
  /** Runs the CLI against this agent; never throws, returns status and output. */
  cli(
    args: string[],
    opts?: { input?: Buffer | string; env?: Record<string, string> },
  ): Promise<{
    code: number;
    stdout: string;
    stderr: string;
    stdoutBytes: Buffer;
  }>;
  stop(): Promise<void>;
}

const subnet = '10.251.7.0/24';

export async function startAgent(): Promise<TestAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-image-'));
  const dataRoot = join(dir, 'data');
  const execRoot = join(dir, 'exec');
  const host = `unix://${join(execRoot, 'agent.sock')}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      flotillaBin,
      'agent',
      '--data-root',
      dataRoot,
      '--exec-root',
      execRoot,
      '--node-subnet',
      subnet,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FLOTILLA_LOG_LEVEL: 'warn' } },
  );
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const cli: TestAgent['cli'] = (args, opts = {}) =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, [flotillaBin, '-H', host, ...args], {
        env: { ...process.env, FLOTILLA_CONFIG: join(dir, 'cli'), ...opts.env },
      });
      const out: Buffer[] = [];
      let err = '';
      p.stdout.on('data', (d: Buffer) => out.push(d));
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('close', (code) => {
        const stdoutBytes = Buffer.concat(out);
        resolve({ code: code ?? -1, stdout: stdoutBytes.toString(), stderr: err, stdoutBytes });
      });
      if (opts.input !== undefined) p.stdin.end(opts.input);
      else p.stdin.end();
    });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await cli(['images', '-q']);
    if (r.code === 0) break;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`agent did not start: ${log}\n${r.stderr}`);
    await new Promise((r2) => setTimeout(r2, 200));
  }
  return {
    dir,
    dataRoot,
    host,
    cli,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await removeAgentNetwork(dataRoot);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
