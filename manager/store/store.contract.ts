// The behaviour every ObjectStore must show, run against EtcdObjectStore (integration, real etcd)
// and InMemoryObjectStore (unit), so the fake stays honest.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FlotillaError } from '../../shared/errors/index.js';
import type { Node, Service } from '../../shared/model/index.js';
import type { StoreCore } from './core.js';
import { nodeFixture, serviceFixture, taskFixture } from './fixtures.js';
import { claimKey, objectKey } from './keys.js';
import type { StoreEvent } from './types.js';

export interface ContractSubject {
  store: StoreCore;
  /** Writes a key behind the store's back (as a manager from before claims existed would). */
  rawPut(key: string, value: string): Promise<void>;
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

async function waitUntil(check: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

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

    it('caches a written document exactly as a reader parses it back, frozen', async () => {
      // The cache reuses the document validated in the transaction for the store's own writes
      // (StoreCore.ownWrites): it must equal the JSON that etcd holds, undefined fields and all.
      const t = { ...taskFixture(serviceFixture('web'), 1), pendingReason: undefined };
      await s.store.update((tx) => tx.create('task', t));
      const cached = s.store.get('task', t.id)!;
      expect(Object.keys(cached)).not.toContain('pendingReason');
      expect(cached).toEqual(JSON.parse(JSON.stringify(t)));
      expect(Object.isFrozen(cached.status)).toBe(true);
      // A value written behind the store's back at that key is parsed, not taken from the tx.
      await s.rawPut(objectKey('task', t.id), JSON.stringify({ ...t, slot: 7 }));
      await waitUntil(() => s.store.get('task', t.id)?.slot === 7);
      expect((s.store as unknown as { ownWrites: Map<string, unknown> }).ownWrites.size).toBe(0);
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

    describe('claims', () => {
      const subnets = () => Object.fromEntries(s.store.claims('subnets'));
      const withSubnet = (subnet: string, over: Partial<Node> = {}) =>
        nodeFixture({ subnet, ...over });

      it('claims a node subnet with the node and releases it on change and delete', async () => {
        const a = withSubnet('10.240.0.0/24');
        await s.store.update((tx) => tx.create('node', a));
        expect(subnets()).toEqual({ '10.240.0.0/24': a.id });
        await s.store.update((tx) =>
          tx.update('node', { ...tx.get('node', a.id)!, subnet: '10.240.1.0/24' }),
        );
        expect(subnets()).toEqual({ '10.240.1.0/24': a.id });
        await s.store.update((tx) => tx.delete('node', a.id));
        expect(subnets()).toEqual({});
      });

      it('lets the owner claim again what it holds', async () => {
        const a = withSubnet('10.240.0.0/24');
        await s.store.update((tx) => tx.create('node', a));
        for (let i = 0; i < 2; i++)
          await s.store.update((tx) => {
            const n = tx.get('node', a.id)!;
            expect(tx.claimOwner('subnets', '10.240.0.0/24')).toBe(a.id);
            tx.update('node', { ...n, status: { state: 'down', message: `again ${i}` } });
          });
        expect(subnets()).toEqual({ '10.240.0.0/24': a.id });
        // A claim key left holding the node's id (its own) is taken over by the node's create.
        await s.rawPut(claimKey('subnets', '10.240.9.0/24'), 'n9');
        await s.store.update((tx) => tx.create('node', withSubnet('10.240.9.0/24', { id: 'n9' })));
        expect(s.store.claims('subnets').get('10.240.9.0/24')).toBe('n9');
      });

      it('refuses a subnet another node holds, and one of two concurrent claims', async () => {
        const a = withSubnet('10.240.0.0/24');
        await s.store.update((tx) => tx.create('node', a));
        expect(
          await codeOf(s.store.update((tx) => tx.create('node', withSubnet('10.240.0.0/24')))),
        ).toBe('NODE_SUBNET_TAKEN');
        const results = await Promise.all(
          Array.from({ length: 4 }, () =>
            codeOf(
              s.store.update(async (tx) => {
                await tick();
                tx.create('node', withSubnet('10.240.5.0/24'));
              }),
            ),
          ),
        );
        expect(results.sort()).toEqual([
          'NODE_SUBNET_TAKEN',
          'NODE_SUBNET_TAKEN',
          'NODE_SUBNET_TAKEN',
          'ok',
        ]);
        expect(s.store.list('node').filter((n) => n.subnet === '10.240.5.0/24')).toHaveLength(1);
      });

      it('hands a released claim to another object in the same transaction', async () => {
        const a = withSubnet('10.240.0.0/24');
        const b = withSubnet('10.240.1.0/24');
        await s.store.update((tx) => {
          tx.create('node', a);
          tx.create('node', b);
        });
        // a gives up its subnet, then b takes it: one transaction, each key written once.
        await s.store.update((tx) => {
          tx.update('node', { ...tx.get('node', a.id)!, subnet: '10.240.2.0/24' });
          tx.update('node', { ...tx.get('node', b.id)!, subnet: '10.240.0.0/24' });
        });
        expect(subnets()).toEqual({ '10.240.2.0/24': a.id, '10.240.0.0/24': b.id });
        // Taking a subnet before its holder gives it up is refused, even in one transaction.
        expect(
          await codeOf(
            s.store.update((tx) => {
              tx.update('node', { ...tx.get('node', a.id)!, subnet: '10.240.0.0/24' });
              tx.update('node', { ...tx.get('node', b.id)!, subnet: '10.240.2.0/24' });
            }),
          ),
        ).toBe('NODE_SUBNET_TAKEN');
      });

      it('backfills the claim of a node written before claims existed on its next write', async () => {
        const old = withSubnet('10.240.3.0/24');
        await s.rawPut(objectKey('node', old.id), JSON.stringify(old));
        await waitUntil(() => s.store.get('node', old.id) !== undefined);
        expect(subnets()).toEqual({});
        // Not yet claimed, but another node still cannot take it through a claim of its own
        // once the old node writes; the write itself claims it.
        await s.store.update((tx) => {
          const n = tx.get('node', old.id)!;
          tx.update('node', { ...n, status: { state: 'ready', message: '' } });
        });
        expect(subnets()).toEqual({ '10.240.3.0/24': old.id });
      });

      it('claims ingress ports with the service and releases them on removal', async () => {
        const web = serviceFixture('web');
        web.endpoint = {
          ports: [{ target: 80, published: 30000, protocol: 'tcp', mode: 'ingress' }],
        };
        await s.store.update((tx) => tx.create('service', web));
        expect(Object.fromEntries(s.store.claims('ingress-ports'))).toEqual({
          'tcp/30000': web.id,
        });
        const other = serviceFixture('other');
        other.endpoint = {
          ports: [{ target: 81, published: 30000, protocol: 'tcp', mode: 'ingress' }],
        };
        expect(await codeOf(s.store.update((tx) => tx.create('service', other)))).toBe(
          'SERVICE_PORT_IN_USE',
        );
        // Same number over udp is another claim.
        other.endpoint.ports[0].protocol = 'udp';
        await s.store.update((tx) => tx.create('service', other));
        await s.store.update((tx) => {
          const cur = tx.get('service', web.id)!;
          cur.endpoint = { ports: [] };
          tx.update('service', cur);
        });
        expect(Object.fromEntries(s.store.claims('ingress-ports'))).toEqual({
          'udp/30000': other.id,
        });
        await s.store.update((tx) => tx.delete('service', other.id));
        expect(s.store.claims('ingress-ports').size).toBe(0);
      });

      describe('ingress and host-mode ports', () => {
        const publishing = (name: string, mode: 'ingress' | 'host', published = 8080) => {
          const svc = serviceFixture(name);
          svc.endpoint = { ports: [{ target: 80, published, protocol: 'tcp', mode }] };
          return svc;
        };
        const hostClaims = () => Object.fromEntries(s.store.claims('host-ports'));
        async function messageOf(p: Promise<unknown>): Promise<string> {
          try {
            await p;
            return 'ok';
          } catch (err) {
            return `${(err as FlotillaError).code}: ${(err as Error).message}`;
          }
        }

        it('claims a host-mode port per service, so several may publish it, until removed', async () => {
          const [a, b] = [publishing('a', 'host'), publishing('b', 'host')];
          await s.store.update((tx) => tx.create('service', a));
          await s.store.update((tx) => tx.create('service', b));
          expect(hostClaims()).toEqual({ [`tcp/8080/${a.id}`]: a.id, [`tcp/8080/${b.id}`]: b.id });
          await s.store.update((tx) => tx.delete('service', a.id));
          expect(hostClaims()).toEqual({ [`tcp/8080/${b.id}`]: b.id });
          await s.store.update((tx) => {
            const cur = tx.get('service', b.id)!;
            cur.endpoint = { ports: [] };
            tx.update('service', cur);
          });
          expect(hostClaims()).toEqual({});
        });

        it('refuses a port published in the other mode, naming both services and modes', async () => {
          await s.store.update((tx) => tx.create('service', publishing('h', 'host')));
          expect(
            await messageOf(
              s.store.update((tx) => tx.create('service', publishing('i', 'ingress'))),
            ),
          ).toBe(
            'SERVICE_PORT_IN_USE: cannot publish port 8080/tcp (ingress) for service i: service h already publishes it (host)',
          );
          await s.store.update((tx) => tx.create('service', publishing('i', 'ingress', 9090)));
          expect(
            await messageOf(
              s.store.update((tx) => tx.create('service', publishing('h2', 'host', 9090))),
            ),
          ).toBe(
            'SERVICE_PORT_IN_USE: cannot publish port 9090/tcp (host) for service h2: service i already publishes it (ingress)',
          );
          // The same number over udp is another port.
          const udp = publishing('u', 'ingress');
          udp.endpoint!.ports[0].protocol = 'udp';
          expect(await codeOf(s.store.update((tx) => tx.create('service', udp)))).toBe('ok');
        });

        it('commits only one of an ingress and a host-mode claim of one port made at once', async () => {
          for (const [round, order] of (
            ['host first', 'ingress first', 'host first'] as const
          ).entries()) {
            const port = 8100 + round;
            const modes =
              order === 'host first'
                ? (['host', 'ingress'] as const)
                : (['ingress', 'host'] as const);
            // Both write (and check) against the cache before either commits; the second to
            // commit must fail on its compares, then be refused on the fresh cache.
            const results = await Promise.all(
              modes.map((mode, i) =>
                codeOf(
                  s.store.update(async (tx) => {
                    tx.create('service', publishing(`${mode}-${round}-${i}`, mode, port));
                    await tick();
                  }),
                ),
              ),
            );
            expect(results.sort(), order).toEqual(['SERVICE_PORT_IN_USE', 'ok']);
          }
          // Several host-mode claims of one port at once all commit: they share it.
          const results = await Promise.all(
            ['x', 'y', 'z'].map((n) =>
              codeOf(
                s.store.update(async (tx) => {
                  tx.create('service', publishing(n, 'host', 8200));
                  await tick();
                }),
              ),
            ),
          );
          expect(results).toEqual(['ok', 'ok', 'ok']);
        });

        it('moves a port between modes in one transaction, within a service or between two', async () => {
          const a = publishing('a', 'host');
          const b = publishing('b', 'ingress', 9090);
          await s.store.update((tx) => {
            tx.create('service', a);
            tx.create('service', b);
          });
          // a: 8080 from host to ingress mode; its own host-mode key is released in the same commit.
          await s.store.update((tx) => {
            const cur = tx.get('service', a.id)!;
            cur.endpoint!.ports[0].mode = 'ingress';
            tx.update('service', cur);
          });
          expect(hostClaims()).toEqual({});
          expect(s.store.claims('ingress-ports').get('tcp/8080')).toBe(a.id);
          // In one transaction, a gives up ingress 8080 (for host 9191), then b takes 8080 in
          // host mode (giving up ingress 9090)…
          const setPort = (svc: Service, published: number, mode: 'ingress' | 'host') => {
            svc.endpoint = { ports: [{ target: 80, published, protocol: 'tcp', mode }] };
            return svc;
          };
          await s.store.update((tx) => {
            tx.update('service', setPort(tx.get('service', a.id)!, 9191, 'host'));
            tx.update('service', setPort(tx.get('service', b.id)!, 8080, 'host'));
          });
          expect(hostClaims()).toEqual({ [`tcp/9191/${a.id}`]: a.id, [`tcp/8080/${b.id}`]: b.id });
          expect(s.store.claims('ingress-ports').size).toBe(0);
          // …and back: b gives up host 8080, then a takes 8080 in ingress mode.
          await s.store.update((tx) => {
            tx.update('service', setPort(tx.get('service', b.id)!, 9090, 'ingress'));
            tx.update('service', setPort(tx.get('service', a.id)!, 8080, 'ingress'));
          });
          expect(hostClaims()).toEqual({});
          expect(Object.fromEntries(s.store.claims('ingress-ports'))).toEqual({
            'tcp/8080': a.id,
            'tcp/9090': b.id,
          });
          // Taking the port before its holder gives it up is refused, as for every claim.
          expect(
            await codeOf(
              s.store.update((tx) => {
                tx.update('service', setPort(tx.get('service', b.id)!, 8080, 'host'));
                tx.update('service', setPort(tx.get('service', a.id)!, 9191, 'host'));
              }),
            ),
          ).toBe('SERVICE_PORT_IN_USE');
        });

        it('backfills the host-mode claim of a service written before such claims on its next write', async () => {
          const old = publishing('old', 'host');
          await s.rawPut(objectKey('service', old.id), JSON.stringify(old));
          await s.rawPut(claimKey('services', 'old'), old.id);
          await waitUntil(() => s.store.get('service', old.id) !== undefined);
          expect(hostClaims()).toEqual({});
          await s.store.update((tx) => {
            const cur = tx.get('service', old.id)!;
            cur.version += 1;
            tx.update('service', cur);
          });
          expect(hostClaims()).toEqual({ [`tcp/8080/${old.id}`]: old.id });
          expect(
            await codeOf(s.store.update((tx) => tx.create('service', publishing('i', 'ingress')))),
          ).toBe('SERVICE_PORT_IN_USE');
        });
      });
    });

    it('reads and writes the cluster object', async () => {
      expect(await s.store.getCluster()).toBeUndefined();
      await s.store.putCluster({ id: 'c1', name: 'one' });
      await s.store.updateCluster((c) => ({ ...c, name: 'two' }));
      expect((await s.store.getCluster())?.name).toBe('two');
    });
  });
}
