// Manager processes for integration tests: a one-file bundle of the CLI, managers started on free
// loopback ports with private data/exec roots and CLI config, stopped (or killed) by PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { IOptions } from 'etcd3';
import { etcdPkiFiles } from '../../../manager/etcd/index.js';
import { etcdTlsFlags } from '../../harness/etcd-flags.js';
import { bundleCli as bundleHarnessCli, cliBundlePath } from '../../harness/cli-bundle.js';

export const bundlePath = cliBundlePath('manager');

export const bundleCli = (): Promise<void> => bundleHarnessCli('manager');

/** Two consecutive free ports: gRPC and API (= gRPC + 1, as the manager defaults). */
export async function portPair(): Promise<number> {
  // Below the kernel's ephemeral range (32768+), where freePort() — and so the embedded etcd the
  // manager starts — picks its ports: a pair from that range could be taken before the manager
  // listens on it.
  for (;;) {
    const p = 20000 + Math.floor(Math.random() * 12000);
    if ((await isFree(p)) && (await isFree(p + 1))) return p;
  }
}

async function isFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export class ManagerProcess {
  child?: ChildProcess;
  stderr = '';
  exitCode: number | null = null;
  readonly grpcAddr: string;
  readonly apiAddr: string;

  constructor(
    readonly root: string,
    readonly name: string,
    readonly grpcPort: number,
    readonly env: NodeJS.ProcessEnv,
  ) {
    this.grpcAddr = `127.0.0.1:${grpcPort}`;
    this.apiAddr = `127.0.0.1:${grpcPort + 1}`;
  }

  get dataRoot(): string {
    return join(this.root, this.name);
  }

  start(extra: string[]): void {
    const args = [
      bundlePath,
      'manager',
      '--data-root',
      this.dataRoot,
      '--exec-root',
      join(this.root, `${this.name}-run`),
      '--listen-grpc',
      this.grpcAddr,
      '--advertise-addr',
      '127.0.0.1',
      ...extra,
    ];
    const child = spawn('node', args, { env: this.env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString()));
    child.once('exit', (code, signal) => (this.exitCode = code ?? (signal ? 128 : -1)));
    this.child = child;
  }

  /** Resolves when GET /ca answers; rejects if the process exits first. */
  async ready(timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (this.exitCode !== null) throw new Error(`manager ${this.name} exited: ${this.stderr}`);
      const r = await https(this.apiAddr, 'GET', '/ca').catch(() => undefined);
      if (r?.status === 200) return;
      await new Promise((r2) => setTimeout(r2, 200));
    }
    throw new Error(`manager ${this.name} not ready: ${this.stderr}`);
  }

  /** Resolves with the exit code (for refusal cases). */
  async exited(timeoutMs = 60_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    while (this.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    return this.exitCode ?? -1;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const c = this.child;
    if (!c || this.exitCode !== null) return;
    c.kill(signal);
    const end = Date.now() + 15_000;
    while (this.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    if (this.exitCode === null) c.kill('SIGKILL');
  }

  /** The URL of this manager's embedded etcd (its ports are kept in etcd-ports.json). */
  embeddedEtcdEndpoint(): string | undefined {
    const f = join(this.dataRoot, 'etcd-ports.json');
    if (!existsSync(f)) return undefined;
    return `https://127.0.0.1:${(JSON.parse(readFileSync(f, 'utf8')) as { clientPort: number }).clientPort}`;
  }

  /** `flotilla manager` flags that reach this manager's embedded etcd with its client certificate. */
  embeddedEtcdFlags(): string[] {
    return etcdTlsFlags(
      this.embeddedEtcdEndpoint()!,
      etcdPkiFiles(join(this.dataRoot, 'etcd-pki')),
    );
  }

  /** etcd3 client options for this manager's embedded etcd. */
  embeddedEtcdClientOptions(): IOptions {
    const f = etcdPkiFiles(join(this.dataRoot, 'etcd-pki'));
    return {
      hosts: this.embeddedEtcdEndpoint()!,
      credentials: {
        rootCertificate: readFileSync(f.caFile),
        certChain: readFileSync(f.clientCertFile),
        privateKey: readFileSync(f.clientKeyFile),
      },
    };
  }
}

export function cli(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync('node', [bundlePath, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface HttpsAnswer {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTPS request; tls = client credentials (PEM); without ca the server is not verified. */
export function https(
  addr: string,
  method: string,
  path: string,
  body?: unknown,
  tls: { ca?: string; cert?: string; key?: string } = {},
): Promise<HttpsAnswer> {
  const [host, port] = [
    addr.slice(0, addr.lastIndexOf(':')),
    Number(addr.slice(addr.lastIndexOf(':') + 1)),
  ];
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host,
        port,
        method,
        path,
        ...tls,
        rejectUnauthorized: Boolean(tls.ca),
        headers: payload ? { 'content-type': 'application/json' } : {},
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {}
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
      },
    );
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', reject);
    r.end(payload);
  });
}

/** The admin credentials of the context written by --init. */
export function adminTls(configDir: string, name = 'default') {
  const d = join(configDir, 'contexts', name);
  return {
    ca: readFileSync(join(d, 'ca.pem'), 'utf8'),
    cert: readFileSync(join(d, 'cert.pem'), 'utf8'),
    key: readFileSync(join(d, 'key.pem'), 'utf8'),
  };
}
