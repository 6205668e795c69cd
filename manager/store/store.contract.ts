// The behaviour every ObjectStore must show, run against EtcdObjectStore (integration, real etcd)
// and InMemoryObjectStore (unit), so the fake stays honest.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FlotillaError } from '../../shared/errors/index.js';
import type { Service } from '../../shared/model/index.js';
import type { StoreCore } from './core.js';
import { nodeFixture, serviceFixture, taskFixture } from './fixtures.js';
import type { StoreEvent } from './types.js';

export interface ContractSubject {
  store: StoreCore;
  cleanup(): Promise<void>;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return (err as FlotillaError).code ?? String(err);
  }
}

const tick = () => new Promise((r) => setTimeout(r, 1));

export function storeContract(name: string, make: () => Promise<ContractSubject>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let s: ContractSubject;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(async () => {
      await s.cleanup();
    });

    it('creates, reads back from the cache and finds a service by name', async () => {
      const svc = serviceFixture('web');
      await s.store.update((tx) => tx.create('service', svc));
      expect(s.store.get('service', svc.id)?.spec.name).toBe('web');
      expect(s.store.serviceByName('web')?.id).toBe(svc.id);
      expect(s.store.list('service').map((x) => x.id)).toEqual([svc.id]);
    });

    it('delivers events after the cache applied them', async () => {
      const seen: { e: StoreEvent; cached: boolean }[] = [];
      const off = s.store.subscribe((e) =>
        seen.push({ e, cached: s.store.get(e.kind, e.object.id) !== undefined }),
      );
      const node = nodeFixture();
      await s.store.update((tx) => tx.create('node', node));
      await s.store.update((tx) => tx.delete('node', node.id));
      off();
      expect(seen.map((x) => [x.e.kind, x.e.type, x.cached])).toEqual([
        ['node', 'put', true],
        ['node', 'delete', false],
      ]);
      expect(seen[1].e.revision).toBeGreaterThan(seen[0].e.revision);
    });

    it('refuses an invalid document naming the field', async () => {
      const svc = serviceFixture('bad');
      (svc.spec.mode as { replicated: { replicas: number } }).replicated.replicas = -1;
      await expect(s.store.update((tx) => tx.create('service', svc))).rejects.toThrow(
        /spec\.mode\.replicated\.replicas: must be at least 0/,
      );
      expect(s.store.list('service')).toHaveLength(0);
    });

    it('refuses duplicate ids and updates of missing objects', async () => {
      const node = nodeFixture();
      await s.store.update((tx) => tx.create('node', node));
      expect(await codeOf(s.store.update((tx) => tx.create('node', node)))).toBe(
        'STORE_ALREADY_EXISTS',
      );
      expect(await codeOf(s.store.update((tx) => tx.update('node', nodeFixture())))).toBe(
        'STORE_NOT_FOUND',
      );
    });

    it('keeps service names unique under concurrent creates', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          codeOf(
            s.store.update(async (tx) => {
              await tick();
              tx.create('service', serviceFixture('api'));
            }),
          ),
        ),
      );
      expect(results.filter((r) => r === 'ok')).toHaveLength(1);
      expect(results.filter((r) => r === 'SERVICE_NAME_TAKEN')).toHaveLength(7);
      expect(s.store.list('service')).toHaveLength(1);
    });

    it('releases a name on rename and on delete', async () => {
      const a = serviceFixture('a');
      await s.store.update((tx) => tx.create('service', a));
      await s.store.update((tx) => {
        const cur = tx.get('service', a.id)!;
        cur.spec.name = 'a2';
        tx.update('service', cur);
      });
      expect(s.store.serviceByName('a')).toBeUndefined();
      expect(s.store.serviceByName('a2')?.id).toBe(a.id);
      const b = serviceFixture('a');
      await s.store.update((tx) => tx.create('service', b));
      await s.store.update((tx) => tx.delete('service', a.id));
      expect(await codeOf(s.store.update((tx) => tx.create('service', serviceFixture('a2'))))).toBe(
        'ok',
      );
    });

    it('retries a conflicting update on fresh state so no increment is lost', async () => {
      const svc = serviceFixture('counter');
      await s.store.update((tx) => tx.create('service', svc));
      await Promise.all(
        Array.from({ length: 4 }, () =>
          s.store.update(async (tx) => {
            const cur = tx.get('service', svc.id) as Service;
            await tick();
            cur.version += 1;
            tx.update('service', cur);
          }),
        ),
      );
      expect(s.store.get('service', svc.id)?.version).toBe(5);
    });

    it('hands out frozen cached objects and mutable transaction copies', async () => {
      const node = nodeFixture();
      await s.store.update((tx) => tx.create('node', node));
      const cached = s.store.get('node', node.id)!;
      expect(() => {
        cached.spec.availability = 'drain';
      }).toThrow();
      await s.store.update((tx) => {
        const n = tx.get('node', node.id)!;
        n.spec.availability = 'drain';
        tx.update('node', n);
      });
      expect(s.store.get('node', node.id)?.spec.availability).toBe('drain');
    });

    it('commits a batch of 1000 writes in bounded transactions', async () => {
      const svc = serviceFixture('many');
      await s.store.update((tx) => tx.create('service', svc));
      let events = 0;
      const off = s.store.subscribe((e) => {
        if (e.kind === 'task') events++;
      });
      await s.store.batch((tx) => {
        for (let i = 1; i <= 1000; i++) tx.create('task', taskFixture(svc, i));
      });
      off();
      expect(s.store.list('task')).toHaveLength(1000);
      expect(events).toBe(1000);
      // and updates of all of them, in transactions of at most 50 operations
      await s.store.batch(
        (tx) => {
          for (const t of s.store.list('task'))
            tx.update('task', { ...structuredClone(t), nodeId: 'n1' });
        },
        { maxOpsPerTx: 50 },
      );
      expect(s.store.list('task').every((t) => t.nodeId === 'n1')).toBe(true);
    });

    it('reads and writes the cluster object', async () => {
      expect(await s.store.getCluster()).toBeUndefined();
      await s.store.putCluster({ id: 'c1', name: 'one' });
      await s.store.updateCluster((c) => ({ ...c, name: 'two' }));
      expect((await s.store.getCluster())?.name).toBe('two');
    });
  });
}
