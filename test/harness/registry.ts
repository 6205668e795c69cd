// Starts a real registry server (Debian's docker-registry, distribution 2.8) on loopback for tests.
//
//   const registry = await startRegistry();              // anonymous
//   const secured = await startRegistry({ auth: { username: 'u', password: 'p' } }); // htpasswd
//   registry.host  // '127.0.0.1:PORT' — use it as the reference domain: `${registry.host}/app:v1`
//   registry.url   // 'http://127.0.0.1:PORT'
//   await registry.stop();                               // kills the process (by PID), removes its dir
//
// Storage is a fresh temporary directory per registry; deletes are enabled. Loopback registries
// are plain HTTP, which the registry client allows without --insecure-registry. Keep this API
// stable: other components' integration tests use it.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface StartRegistryOptions {
  /** Require HTTP basic auth with these credentials (htpasswd, bcrypt). */
  auth?: { username: string; password: string };
  /** Token auth instead (for bearer tests): the registry trusts tokens signed for this issuer. */
  tokenAuth?: { realm: string; service: string; issuer: string; rootCertBundlePath: string };
}

export interface RunningRegistry {
  /** 127.0.0.1:PORT */
  host: string;
  /** http://127.0.0.1:PORT */
  url: string;
  /** The registry's storage directory (blobs and repositories), removed by stop(). */
  dataDir: string;
  stop(): Promise<void>;
}

const registryBinary = '/usr/bin/docker-registry';

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForApi(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`docker-registry exited with ${child.exitCode}: ${output()}`);
    try {
      const res = await fetch(`${url}/v2/`);
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer: ${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startRegistry(opts: StartRegistryOptions = {}): Promise<RunningRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-registry-'));
  const dataDir = join(dir, 'data');
  const configPath = join(dir, 'config.yml');
  let child: ChildProcess | undefined;
  try {
    const port = await freePort();
    const lines = [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${dataDir}`,
      '  delete:',
      '    enabled: true',
      '  cache:',
      '    blobdescriptor: inmemory',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      `  secret: ${randomBytes(16).toString('hex')}`,
    ];
    if (opts.auth) {
      const htpasswdPath = join(dir, 'htpasswd');
      const { stdout } = await promisify(execFile)('htpasswd', [
        '-Bbn',
        opts.auth.username,
        opts.auth.password,
      ]);
      await writeFile(htpasswdPath, stdout);
      lines.push('auth:', '  htpasswd:', '    realm: flotilla-test', `    path: ${htpasswdPath}`);
    } else if (opts.tokenAuth) {
      const t = opts.tokenAuth;
      lines.push(
        'auth:',
        '  token:',
        `    realm: ${t.realm}`,
        `    service: ${t.service}`,
        `    issuer: ${t.issuer}`,
        `    rootcertbundle: ${t.rootCertBundlePath}`,
      );
    }
    await writeFile(configPath, lines.join('\n') + '\n');
    let output = '';
    child = spawn(registryBinary, ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const host = `127.0.0.1:${port}`;
    const url = `http://${host}`;
    await waitForApi(url, child, () => output);
    const proc = child;
    return {
      host,
      url,
      dataDir,
      async stop() {
        await killAndWait(proc);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (child) await killAndWait(child);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, 5000);
  await exited;
  clearTimeout(timer);
}
