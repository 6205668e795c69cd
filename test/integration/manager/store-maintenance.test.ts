// The manager's store maintenance against a real etcd: history compacted one round behind, and the
// file defragmented once most of it is free.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdMaintenanceTarget, StoreMaintenance } from '../../../manager/etcd/index.js';
import { createLogger } from '../../../shared/log/index.js';
import { startTestEtcd, type TestEtcd } from './etcd-harness.js';

const log = createLogger({ proc: 'test', level: 'silent' });

describe('store maintenance on etcd', () => {
  let etcd: TestEtcd;
  beforeAll(async () => {
    etcd = await startTestEtcd();
  }, 60_000);
  afterAll(async () => etcd?.cleanup());

  it('compacts old revisions and defragments the freed space', async () => {
    const client = etcd.client();
    const target = etcdMaintenanceTarget(client);
    const m = new StoreMaintenance({
      target,
      log,
      isLeader: () => true,
      defragMinFreeBytes: 4 * 2 ** 20,
      // One compaction frees the first write's history, less than the default half of the file on
      // a fresh member: with the default, the first attempt never defragmented and only vitest's
      // retry (on a member holding that attempt's history too) passed.
      defragFreeRatio: 0.25,
    });
    // 40 versions of 64 keys of 16 KiB: ~40 MiB of history over 1 MiB of live data.
    const value = 'x'.repeat(16 * 1024);
    const write = async () => {
      for (let v = 0; v < 40; v++)
        await Promise.all(
          Array.from({ length: 64 }, (_, k) => client.put(`/maint/${k}`).value(`${v}${value}`)),
        );
    };
    await write();
    const first = await m.round();
    expect(first.compactedTo).toBeUndefined();
    const oldRevision = (await target.status()).revision - 10;
    await write();
    const second = await m.round();
    expect(second.compactedTo).toBeGreaterThan(oldRevision);
    // History before the compaction is gone; the latest values remain.
    await expect(client.get('/maint/1').revision(String(oldRevision)).string()).rejects.toThrow(
      /compacted/,
    );
    expect((await client.get('/maint/1').string())?.startsWith('39')).toBe(true);
    // The first write's history was freed: the file shrank.
    expect(second.defragmented).toBeDefined();
    expect(second.defragmented!.afterBytes).toBeLessThan(second.defragmented!.beforeBytes * 0.75);
  }, 60_000);
});
