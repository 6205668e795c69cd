import { describe, expect, it } from 'vitest';
import { serviceFixture, taskFixture } from './fixtures.js';
import { InMemoryObjectStore } from './memory.js';

describe('batch transaction sizes', () => {
  it('stays within etcd default limits: 100 writes a transaction', async () => {
    const store = new InMemoryObjectStore();
    const svc = serviceFixture('web');
    await store.batch((tx) => {
      for (let i = 1; i <= 1000; i++) tx.create('task', taskFixture(svc, i));
    });
    expect(store.list('task')).toHaveLength(1000);
    expect(store.stats.commits).toBe(10);
    expect(store.stats.maxOpsPerCommit).toBe(100);
  });

  it('uses larger transactions where etcd allows them, bounded by operations and bytes', async () => {
    const store = new InMemoryObjectStore({
      limits: { maxTxnOps: 4096, maxRequestBytes: 8 * 2 ** 20 },
    });
    expect(store.batchOpsPerTx).toBe(512);
    const svc = serviceFixture('web');
    await store.batch((tx) => {
      for (let i = 1; i <= 1000; i++) tx.create('task', taskFixture(svc, i));
    });
    expect(store.stats.commits).toBe(2);
    expect(store.stats.maxOpsPerCommit).toBe(512);

    // 1000 documents of ~1 KB within requests of 64 KiB: half of it per transaction.
    const small = new InMemoryObjectStore({
      limits: { maxTxnOps: 4096, maxRequestBytes: 2 ** 16 },
    });
    await small.batch((tx) => {
      for (let i = 1; i <= 1000; i++) tx.create('task', taskFixture(svc, i));
    });
    expect(small.list('task')).toHaveLength(1000);
    const perTx = JSON.stringify(small.list('task')[0]).length;
    expect(small.stats.maxOpsPerCommit).toBeLessThanOrEqual(Math.ceil(2 ** 15 / perTx));
    expect(small.stats.commits).toBeGreaterThan(1000 / Math.ceil(2 ** 15 / perTx) - 1);
  });

  it('an update over the limit is refused, not split', async () => {
    const store = new InMemoryObjectStore();
    const svc = serviceFixture('web');
    await expect(
      store.update((tx) => {
        for (let i = 1; i <= 200; i++) tx.create('task', taskFixture(svc, i));
      }),
    ).rejects.toThrow(/too many operations/);
    expect(store.list('task')).toHaveLength(0);
  });
});
