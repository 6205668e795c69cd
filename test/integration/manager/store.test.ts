// The store contract and etcd-only behaviour (several managers, restart, compaction) on a real etcd.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeContract } from '../../../manager/store/store.contract.js';
import { embeddedEtcdLimits } from '../../../manager/etcd/index.js';
import { EtcdObjectStore } from '../../../manager/store/index.js';
import { nodeFixture, serviceFixture, taskFixture } from '../../../manager/store/fixtures.js';
import type { FlotillaError } from '../../../shared/errors/index.js';
import { etcdctlFlags, startTestEtcd, type TestEtcd } from './etcd-harness.js';

let t: TestEtcd;
beforeAll(async () => {
  t = await startTestEtcd();
});
afterAll(async () => {
  await t?.cleanup();
});

async function openStore(): Promise<EtcdObjectStore> {
  const store = new EtcdObjectStore({ client: t.client(), endpoints: t.etcd.endpoint });
  await store.start();
  return store;
}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}

storeContract('etcd', async () => {
  await t.wipe();
  const store = await openStore();
  const client = t.client();
  return {
    store,
    rawPut: async (key: string, value: string) => void (await client.put(key).value(value)),
    cleanup: () => store.stop(),
  };
});

describe('EtcdObjectStore across managers', () => {
  it('keeps names unique when two managers create the same service at once', async () => {
    await t.wipe();
    const [a, b] = [await openStore(), await openStore()];
    const results = await Promise.all(
      [a, b, a, b].map((s) =>
        s
          .update((tx) => tx.create('service', serviceFixture('shared')))
          .then(
            () => 'ok',
            (err: FlotillaError) => err.code,
          ),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'SERVICE_NAME_TAKEN')).toHaveLength(3);
    await until(() => a.list('service').length === 1 && b.list('service').length === 1);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('gives a subnet to one of two managers claiming it at once, and frees it with the node', async () => {
    await t.wipe();
    const [a, b] = [await openStore(), await openStore()];
    const results = await Promise.all(
      [a, b, a, b].map((s) =>
        s
          .update((tx) => tx.create('node', nodeFixture({ subnet: '10.240.7.0/24' })))
          .then(
            () => 'ok',
            (err: FlotillaError) => err.code,
          ),
      ),
    );
    expect(results.sort()).toEqual([
      'NODE_SUBNET_TAKEN',
      'NODE_SUBNET_TAKEN',
      'NODE_SUBNET_TAKEN',
      'ok',
    ]);
    await until(() => b.list('node').length === 1);
    const owner = b.list('node')[0].id;
    expect(b.claims('subnets').get('10.240.7.0/24')).toBe(owner);
    // Removed through the other manager: the claim goes with the node and the subnet is free.
    await a.update((tx) => tx.delete('node', owner));
    await until(() => !b.claims('subnets').has('10.240.7.0/24'));
    await b.update((tx) => tx.create('node', nodeFixture({ subnet: '10.240.7.0/24' })));
    await Promise.all([a.stop(), b.stop()]);
  });

  it('retries on fresh state when another manager wrote in between', async () => {
    await t.wipe();
    const [a, b] = [await openStore(), await openStore()];
    const node = nodeFixture();
    await a.update((tx) => tx.create('node', node));
    await until(() => b.get('node', node.id) !== undefined);
    let runs = 0;
    await a.update(async (tx) => {
      runs++;
      const n = tx.get('node', node.id)!;
      if (runs === 1) {
        // b changes the node after a read it and before a commits
        await b.update((tx2) => {
          const m = tx2.get('node', node.id)!;
          m.spec.labels.by = 'b';
          tx2.update('node', m);
        });
      }
      n.spec.availability = 'drain';
      tx.update('node', n);
    });
    expect(runs).toBe(2);
    const final = a.get('node', node.id)!;
    expect(final.spec.labels.by).toBe('b');
    expect(final.spec.availability).toBe('drain');
    await Promise.all([a.stop(), b.stop()]);
  });

  it('resumes its watch after etcd restarts and sees writes made meanwhile', async () => {
    await t.wipe();
    const a = await openStore();
    await a.update((tx) => tx.create('service', serviceFixture('before')));
    await t.etcd.stop();
    await t.etcd.start();
    const b = await openStore();
    await b.update((tx) => tx.create('service', serviceFixture('after')));
    await until(() => a.serviceByName('after') !== undefined, 60_000);
    expect(a.serviceByName('before')).toBeDefined();
    await Promise.all([a.stop(), b.stop()]);
  });

  it('re-lists when the revision it would resume from was compacted', async () => {
    await t.wipe();
    const a = await openStore();
    const gone = serviceFixture('gone');
    await a.update((tx) => tx.create('service', gone));
    await t.etcd.stop();
    await t.etcd.start();
    // While a is reconnecting (its backoff), b writes and compacts the history a needs.
    const c = t.client();
    const b = await openStore();
    await b.update((tx) => tx.delete('service', gone.id));
    await b.update((tx) => tx.create('service', serviceFixture('new')));
    const rev = (await c.get('x').exec()).header.revision;
    execFileSync('etcdctl', [...etcdctlFlags(t.etcd), 'compact', rev]);
    await until(() => a.serviceByName('new') !== undefined, 60_000);
    expect(a.get('service', gone.id)).toBeUndefined();
    expect(a.serviceByName('gone')).toBeUndefined();
    await Promise.all([a.stop(), b.stop()]);
  });
});

describe('EtcdObjectStore on the embedded etcd (raised transaction limits)', () => {
  it('commits 512-write transactions and a transaction comparing 300 nodes', async () => {
    await t.wipe();
    const store = new EtcdObjectStore({
      client: t.client(),
      endpoints: t.etcd.endpoint,
      limits: embeddedEtcdLimits,
    });
    await store.start();
    try {
      const svc = serviceFixture('big');
      await store.batch((tx) => {
        tx.create('service', svc);
        for (let i = 1; i <= 1500; i++) tx.create('task', taskFixture(svc, i));
      });
      expect(store.list('task')).toHaveLength(1500);
      expect(store.stats.maxOpsPerCommit).toBe(512);
      expect(store.stats.commits).toBe(3);
      // A transaction that reads 300 nodes compares each of them: past 127 keys etcd's default
      // --max-txn-ops would refuse it (session opens no longer do this: they claim a subnet key).
      const nodes = Array.from({ length: 300 }, () => nodeFixture());
      await store.batch((tx) => nodes.forEach((n) => tx.create('node', n)));
      await store.update((tx) => {
        for (const n of nodes) tx.get('node', n.id);
        const first = tx.get('node', nodes[0].id)!;
        tx.update('node', { ...first, spec: { ...first.spec, availability: 'drain' } });
      });
      expect(store.get('node', nodes[0].id)?.spec.availability).toBe('drain');
    } finally {
      await store.stop();
    }
  });
});
