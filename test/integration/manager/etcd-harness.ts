// A real etcd on random loopback ports with a temporary data dir, for manager integration tests.
// Killed by PID and its directory removed in cleanup.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { EmbeddedEtcd } from '../../../manager/etcd/index.js';
import { rootPrefix } from '../../../manager/store/index.js';

export interface TestEtcd {
  etcd: EmbeddedEtcd;
  dir: string;
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
    client() {
      const c = new Etcd3({ hosts: etcd.endpoint, dialTimeout: 2000 });
      clients.push(c);
      return c;
    },
    async wipe() {
      const c = new Etcd3({ hosts: etcd.endpoint });
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
