import { describe, expect, it } from 'vitest';
import { InMemoryObjectStore } from '../store/index.js';
import { nodeFixture, serviceFixture, taskFixture } from '../store/fixtures.js';
import { ClusterEvents } from './cluster-events.js';
import type { ClusterEvent } from './cluster-event.js';

async function setup(historyLimit?: number) {
  const store = new InMemoryObjectStore();
  let now = Date.parse('2026-12-07T10:00:00Z');
  const events = new ClusterEvents({ store, clock: { now: () => now }, historyLimit });
  await events.start();
  const live: ClusterEvent[] = [];
  events.subscribe((e) => live.push(e));
  return { store, events, live, tick: (ms: number) => (now += ms) };
}

const brief = (e: ClusterEvent) => `${e.Type} ${e.Action} ${JSON.stringify(e.Actor.Attributes)}`;

describe('ClusterEvents', () => {
  it('makes create and remove events of configs by name', async () => {
    const { store, live } = await setup();
    const now = new Date().toISOString();
    const c = { id: 'c1', version: 1, createdAt: now, updatedAt: now };
    const config = { ...c, spec: { name: 'app_conf', labels: {}, data: 'eA==' } };
    await store.update((tx) => tx.create('config', config));
    await store.update((tx) => tx.delete('config', 'c1'));
    expect(live.map(brief)).toEqual([
      'config create {"name":"app_conf"}',
      'config remove {"name":"app_conf"}',
    ]);
  });

  it('makes create, update and remove events of services with Docker’s attributes', async () => {
    const { store, live } = await setup();
    const web = serviceFixture('web');
    await store.update((tx) => tx.create('service', web));
    await store.update((tx) => {
      const s = structuredClone(tx.get('service', web.id)!);
      s.spec.mode = { replicated: { replicas: 5 } };
      s.version++;
      tx.update('service', s);
    });
    await store.update((tx) => tx.delete('service', web.id));
    expect(live.map((e) => [e.Type, e.Action, e.Actor.ID])).toEqual([
      ['service', 'create', web.id],
      ['service', 'update', web.id],
      ['service', 'remove', web.id],
    ]);
    expect(live[1].Actor.Attributes).toMatchObject({
      name: 'web',
      'replicas.new': '5',
    });
    expect(live[0]).toMatchObject({ scope: 'swarm', time: 1796637600 });
  });

  it('makes node updates for state, availability and role changes only', async () => {
    const { store, live } = await setup();
    const n = nodeFixture({ id: 'n1' });
    await store.update((tx) => tx.create('node', n));
    await store.update((tx) => {
      const x = structuredClone(tx.get('node', 'n1')!);
      x.status = { ...x.status, lastHeartbeat: '2026-12-07T10:00:05Z' };
      tx.update('node', x);
    });
    await store.update((tx) => {
      const x = structuredClone(tx.get('node', 'n1')!);
      x.spec.availability = 'drain';
      tx.update('node', x);
    });
    expect(live.map(brief)).toEqual([
      `node create ${JSON.stringify({ name: n.description.hostname })}`,
      `node update ${JSON.stringify({
        name: n.description.hostname,
        'availability.old': 'active',
        'availability.new': 'drain',
      })}`,
    ]);
  });

  it('makes task events when the state or the desired state changes', async () => {
    const { store, live } = await setup();
    const web = serviceFixture('web');
    const t = taskFixture(web, 1, { id: 't1' });
    t.status = { ...t.status, state: 'assigned' };
    await store.update((tx) => tx.create('task', t));
    await store.update((tx) => {
      const x = structuredClone(tx.get('task', 't1')!);
      x.status = { ...x.status, message: 'same state' };
      tx.update('task', x);
    });
    await store.update((tx) => {
      const x = structuredClone(tx.get('task', 't1')!);
      x.status = { ...x.status, state: 'running' };
      tx.update('task', x);
    });
    expect(live.map((e) => e.Action)).toEqual(['create', 'update']);
    expect(live[1].Actor.Attributes).toMatchObject({
      'state.old': 'assigned',
      'state.new': 'running',
      'com.docker.swarm.service.id': web.id,
    });
  });

  it('keeps a bounded history, oldest first, for --since', async () => {
    const { store, events, tick } = await setup(3);
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      tick(1000);
      await store.update((tx) => tx.create('service', serviceFixture(name)));
    }
    const names = (es: ClusterEvent[]) => es.map((e) => e.Actor.Attributes.name);
    expect(names(events.since(0))).toEqual(['c', 'd', 'e']);
    const dMs = Date.parse('2026-12-07T10:00:04Z');
    expect(names(events.since(dMs))).toEqual(['d', 'e']);
    expect(names(events.since(0, dMs))).toEqual(['c', 'd']);
  });
});
