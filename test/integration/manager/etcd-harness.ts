// A real etcd on random loopback ports with a temporary data dir, for manager integration tests:
// the embedded etcd, so TLS with client certificates (clientOptions, managerFlags). Killed by PID
// and its directory removed in cleanup.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3, type IOptions } from 'etcd3';
import { EmbeddedEtcd } from '../../../manager/etcd/index.js';
import { rootPrefix } from '../../../manager/store/index.js';
import { etcdTlsFlags } from '../../harness/etcd-flags.js';

export interface TestEtcd {
  etcd: EmbeddedEtcd;
  dir: string;
  /** `flotilla manager` flags that connect to this etcd. */
  managerFlags(): string[];
  client(): Etcd3;
  wipe(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startTestEtcd(): Promise<TestEtcd> {
  const dir = mkdtempSync(join(tmpdir(), 'flt-etcd-'));
  const etcd = new EmbeddedEtcd({ dataDir: join(dir, 'data'), logFile: join(dir, 'etcd.log') });
  await etcd.start();
  const clients: Etcd3[] = [];
  return {
    etcd,
    dir,
    managerFlags: () => etcdManagerFlags(etcd),
    client() {
      const c = new Etcd3({ ...etcdClientOptions(etcd), dialTimeout: 2000 });
      clients.push(c);
      return c;
    },
    async wipe() {
      const c = new Etcd3(etcdClientOptions(etcd));
      await c.delete().prefix(rootPrefix).exec();
      c.close();
    },
    async cleanup() {
      for (const c of clients) c.close();
      await etcd.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** etcd3 options for a client of an EmbeddedEtcd (TLS with its client certificate). */
export function etcdClientOptions(etcd: EmbeddedEtcd): IOptions {
  const t = etcd.clientTls;
  return {
    hosts: etcd.endpoint,
    credentials: {
      rootCertificate: Buffer.from(t.caCertPem),
      certChain: Buffer.from(t.certPem),
      privateKey: Buffer.from(t.keyPem),
    },
  };
}

/** `flotilla manager` flags that connect to an EmbeddedEtcd. */
export function etcdManagerFlags(etcd: EmbeddedEtcd): string[] {
  return etcdTlsFlags(etcd.endpoint, etcd.tlsFiles);
}

/** etcdctl flags for an EmbeddedEtcd. */
export function etcdctlFlags(etcd: EmbeddedEtcd): string[] {
  const f = etcd.tlsFiles;
  return [
    `--endpoints=${etcd.endpoint}`,
    `--cacert=${f.caFile}`,
    `--cert=${f.clientCertFile}`,
    `--key=${f.clientKeyFile}`,
  ];
}

/** runManager settings that connect to an EmbeddedEtcd. */
export function etcdSettings(etcd: EmbeddedEtcd): {
  etcd: string[];
  etcdCacert: string;
  etcdCert: string;
  etcdKey: string;
} {
  const f = etcd.tlsFiles;
  return {
    etcd: [etcd.endpoint],
    etcdCacert: f.caFile,
    etcdCert: f.clientCertFile,
    etcdKey: f.clientKeyFile,
  };
}
