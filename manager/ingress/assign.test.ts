import { describe, expect, it } from 'vitest';
import type { PortConfig } from '../../shared/model/index.js';
import { InMemoryObjectStore } from '../store/index.js';
import { serviceFixture, serviceSpecFixture } from '../store/fixtures.js';
import { assignPorts } from './assign.js';

const withPorts = (name: string, ports: PortConfig[]) =>
  serviceFixture(name, {
    spec: serviceSpecFixture(name, { endpointSpec: { mode: 'vip', ports } }),
  });

describe('assignPorts in a store transaction', () => {
  it('gives two services written at once different ports (the later one retries)', async () => {
    const store = new InMemoryObjectStore();
    const runs: string[] = [];
    const create = (name: string) =>
      store.update((tx) => {
        runs.push(name);
        const s = assignPorts(
          tx,
          store,
          withPorts(name, [{ target: 80, protocol: 'tcp', mode: 'ingress' }]),
        );
        tx.create('service', s);
      });
    // Both choose from the same cache before either commits (commits are asynchronous).
    await Promise.all([create('a'), create('b')]);
    const ports = store.list('service').map((s) => s.endpoint!.ports[0].published!);
    // The winner has the lowest port; the retry picks among the lowest free ones.
    expect(ports).toContain(30000);
    expect(new Set(ports).size).toBe(2);
    expect(Math.max(...ports)).toBeLessThanOrEqual(30016);
    expect(runs).toHaveLength(3);
    expect([...store.claims('ingress-ports').keys()].sort()).toEqual(
      ports.map((p) => `tcp/${p}`).sort(),
    );
  });

  it('refuses a host-mode port that is claimed as an ingress port', async () => {
    const store = new InMemoryObjectStore();
    const web = withPorts('web', [
      { target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' },
    ]);
    await store.update((tx) => tx.create('service', assignPorts(tx, store, web)));
    const host = withPorts('h', [{ target: 80, published: 8080, protocol: 'tcp', mode: 'host' }]);
    await expect(
      store.update((tx) => tx.create('service', assignPorts(tx, store, host))),
    ).rejects.toMatchObject({ code: 'SERVICE_PORT_IN_USE' });
    // Another protocol is free.
    host.spec.endpointSpec.ports[0].protocol = 'udp';
    await store.update((tx) => tx.create('service', assignPorts(tx, store, host)));
  });

  it('releases a port an update drops, for the next service', async () => {
    const store = new InMemoryObjectStore();
    const a = withPorts('a', [{ target: 80, protocol: 'tcp', mode: 'ingress' }]);
    await store.update((tx) => tx.create('service', assignPorts(tx, store, a)));
    await store.update((tx) => {
      const cur = tx.get('service', a.id)!;
      cur.spec.endpointSpec.ports = [];
      tx.update('service', assignPorts(tx, store, cur));
    });
    expect(store.claims('ingress-ports').size).toBe(0);
    const b = withPorts('b', [{ target: 80, protocol: 'tcp', mode: 'ingress' }]);
    await store.update((tx) => tx.create('service', assignPorts(tx, store, b)));
    expect(store.get('service', b.id)!.endpoint!.ports[0].published).toBe(30000);
  });
});
