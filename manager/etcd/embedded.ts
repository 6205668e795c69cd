// Runs the embedded etcd member from the `etcd` binary for a manager started without --etcd (and
// for tests): data under dataDir, client and peer listeners on loopback and the advertise address,
// stopped by PID, started again if it dies. Both listeners are TLS with client-certificate
// authentication (./pki.ts): a plain-TCP etcd would hand the whole cluster to whoever reaches it.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  fchmodSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { get } from 'node:https';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import { ensureEtcdPki, type EtcdClientTls, type EtcdPkiFiles } from './pki.js';
import { embeddedKeepaliveMinTime } from './store-client.js';

export interface EmbeddedEtcdOptions {
  dataDir: string;
  /** @default next to dataDir: <dataDir>-pki (0700) */
  pkiDir?: string;
  /** @default next to dataDir: <dataDir>.log */
  logFile?: string;
  /** @default a free port */
  clientPort?: number;
  /** @default a free port */
  peerPort?: number;
  /** @default /usr/bin/etcd (FLOTILLA_ETCD_BIN overrides) */
  binary?: string;
  log?: Logger;
  /** @default 30000 */
  startTimeoutMs?: number;
  /** This member's name in the etcd cluster. @default flotilla */
  name?: string;
  /**
   * The address other managers reach this member at (peer and client URLs, certificate SANs).
   * @default 127.0.0.1 (a member nobody else can reach: a single-member cluster)
   */
  advertiseHost?: string;
  /**
   * Joining an existing cluster (./membership.ts): every member as `name=peerURL,...`, this one
   * included. Only read by etcd at the first start of an empty data dir.
   */
  initialCluster?: string;
  /** etcd's --force-new-cluster: one member from this data, every other member forgotten. */
  forceNewCluster?: boolean;
  /**
   * Run with etcd's own limits (128 operations per transaction, 1.5 MiB per request) instead of
   * embeddedEtcdLimits, as an external etcd installed with its defaults does (tests).
   */
  etcdDefaultLimits?: boolean;
}

/**
 * Limits the embedded etcd runs with, raised from etcd's defaults (128 operations per transaction,
 * 1.5 MiB per request). Bulk writes (task creation, placement, status) commit up to 512 writes per
 * transaction, which costs etcd about half the CPU per write of 100-write transactions. Nothing
 * needs them: on an etcd with default settings batches are 100 writes, and neither a session open
 * nor a service write grows with the number of nodes or services (unique subnets, names and
 * ingress ports are claim keys, manager/store/claims.ts). The store is told the same limits (EtcdObjectStoreDeps.limits).
 */
export const embeddedEtcdLimits = {
  maxTxnOps: 4096,
  maxRequestBytes: 8 * 2 ** 20,
  // etcd's default quota is 2 GiB; 1,000,000 tasks hold ~1 GiB live (StoreMaintenance compacts
  // and defragments the rest). 8 GiB is etcd's suggested maximum.
  quotaBackendBytes: 8 * 2 ** 30,
} as const;

export class EmbeddedEtcd {
  private child?: ChildProcess;
  private stopping = false;
  private quickExits = 0;
  private restartTimer?: NodeJS.Timeout;
  private pki?: EtcdClientTls & EtcdPkiFiles;
  clientPort = 0;
  peerPort = 0;

  constructor(private readonly opts: EmbeddedEtcdOptions) {}

  get endpoint(): string {
    return `https://127.0.0.1:${this.clientPort}`;
  }

  private get host(): string {
    return this.opts.advertiseHost ?? '127.0.0.1';
  }

  /** The client URL other managers use. */
  get advertisedClientUrl(): string {
    return `https://${urlHost(this.host)}:${this.clientPort}`;
  }

  get peerUrl(): string {
    return `https://${urlHost(this.host)}:${this.peerPort}`;
  }

  /** The client certificate, key and CA to connect with (after start). */
  get clientTls(): EtcdClientTls {
    if (!this.pki) throw new Error('embedded etcd not started');
    return { caCertPem: this.pki.caCertPem, certPem: this.pki.certPem, keyPem: this.pki.keyPem };
  }

  /** The same as files, for etcdctl (--cacert, --cert, --key) and `manager --etcd-*`. */
  get tlsFiles(): EtcdPkiFiles {
    if (!this.pki) throw new Error('embedded etcd not started');
    const { caFile, serverCertFile, serverKeyFile, clientCertFile, clientKeyFile } = this.pki;
    return { caFile, serverCertFile, serverKeyFile, clientCertFile, clientKeyFile };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    this.clientPort ||= this.opts.clientPort ?? (await freePort());
    this.peerPort ||= this.opts.peerPort ?? (await freePort());
    mkdirSync(this.opts.dataDir, { recursive: true, mode: 0o700 });
    await killStale(this.pidFile, this.opts.dataDir);
    const advertised = this.host === '127.0.0.1' ? [] : [this.host];
    this.pki = await ensureEtcdPki(this.opts.pkiDir ?? `${this.opts.dataDir}-pki`, advertised);
    this.stopping = false;
    const child = this.launch(this.opts.forceNewCluster ?? false);
    let exited: string | undefined;
    child.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
    child.once('error', (err) => (exited = err.message));
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 30_000);
    while (!(await healthy(this.clientPort, this.pki))) {
      if (exited || Date.now() > deadline) {
        await this.stop();
        throw new FlotillaError('ETCD_START_FAILED', {
          reason: exited ?? 'not healthy in time',
          logFile: this.logFile,
        });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    this.opts.log?.info({ endpoint: this.endpoint, pid: child.pid }, 'embedded etcd started');
  }

  private get logFile(): string {
    return this.opts.logFile ?? `${this.opts.dataDir}.log`;
  }

  /**
   * Spawns etcd. Once healthy, an exit nobody asked for (the OOM killer, a `kill -9`) starts it
   * again after a second: the member rejoins its cluster from its data, and the manager's client
   * reaches the other members meanwhile.
   */
  private launch(forceNewCluster: boolean): ChildProcess {
    const pki = this.pki!;
    const fd = openSync(this.logFile, 'a', 0o600);
    fchmodSync(fd, 0o600); // a log from before etcd had TLS may have been created 0644
    const host = urlHost(this.host);
    const listen = (port: number) =>
      [...new Set(['127.0.0.1', host])].map((h) => `https://${h}:${port}`).join(',');
    const name = this.opts.name ?? 'flotilla';
    const bin = this.opts.binary ?? process.env.FLOTILLA_ETCD_BIN ?? '/usr/bin/etcd';
    const child = spawn(
      bin,
      [
        `--name=${name}`,
        `--data-dir=${this.opts.dataDir}`,
        `--listen-client-urls=${listen(this.clientPort)}`,
        `--advertise-client-urls=${this.advertisedClientUrl}`,
        `--listen-peer-urls=${listen(this.peerPort)}`,
        `--initial-advertise-peer-urls=${this.peerUrl}`,
        `--initial-cluster=${this.opts.initialCluster ?? `${name}=${this.peerUrl}`}`,
        `--initial-cluster-state=${this.opts.initialCluster ? 'existing' : 'new'}`,
        ...(forceNewCluster ? ['--force-new-cluster'] : []),
        `--cert-file=${pki.serverCertFile}`,
        `--key-file=${pki.serverKeyFile}`,
        `--trusted-ca-file=${pki.caFile}`,
        '--client-cert-auth=true',
        `--peer-cert-file=${pki.serverCertFile}`,
        `--peer-key-file=${pki.serverKeyFile}`,
        `--peer-trusted-ca-file=${pki.caFile}`,
        '--peer-client-cert-auth=true',
        // The manager's client pings every 2 s (store-client.ts); etcd's default refuses < 5 s.
        `--grpc-keepalive-min-time=${embeddedKeepaliveMinTime}`,
        ...(this.opts.etcdDefaultLimits
          ? []
          : [
              `--max-txn-ops=${embeddedEtcdLimits.maxTxnOps}`,
              `--max-request-bytes=${embeddedEtcdLimits.maxRequestBytes}`,
              `--quota-backend-bytes=${embeddedEtcdLimits.quotaBackendBytes}`,
            ]),
      ],
      { stdio: ['ignore', fd, fd] },
    );
    closeSync(fd);
    this.child = child;
    if (child.pid) writeFileSync(this.pidFile, String(child.pid));
    const launchedAt = Date.now();
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopping) return;
      // A member that exits at once, again and again (removed from its cluster, a broken data
      // dir) is left down: the manager's client still reaches the other members.
      this.quickExits = Date.now() - launchedAt < 10_000 ? this.quickExits + 1 : 0;
      if (this.quickExits >= 5) {
        this.opts.log?.error(
          { code, logFile: this.logFile },
          'embedded etcd keeps exiting; left down',
        );
        return;
      }
      this.opts.log?.warn({ code, signal }, 'embedded etcd exited; starting it again');
      this.restartTimer = setTimeout(() => {
        if (!this.stopping) this.launch(false);
      }, 1000);
    });
    child.once('error', () => undefined);
    return child;
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
    this.child = undefined;
    rmSync(this.pidFile, { force: true });
  }

  /** Where the etcd PID is kept, so a manager killed with -9 can reap its etcd on restart. */
  private get pidFile(): string {
    return `${this.opts.dataDir}.pid`;
  }
}

/** Kills an etcd left running on this data dir by a manager that died without stopping it. */
async function killStale(pidFile: string, dataDir: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmd.includes('etcd') && cmd.includes(`--data-dir=${dataDir}`)) {
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++)
        await new Promise((r) => setTimeout(r, 50));
    }
  } catch {
    // not running any more
  }
  rmSync(pidFile, { force: true });
}

function healthy(port: number, tls: EtcdClientTls): Promise<boolean> {
  return new Promise((resolve) => {
    const opts = {
      host: '127.0.0.1',
      port,
      path: '/health',
      timeout: 1000,
      ca: tls.caCertPem,
      cert: tls.certPem,
      key: tls.keyPem,
    };
    const req = get(opts, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 && body.includes('true')));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** An IPv6 address in a URL takes brackets. */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}
