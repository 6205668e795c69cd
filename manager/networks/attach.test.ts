import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import type { Service } from '../../shared/model/index.js';
import {
  ManualClock,
  makeNode,
  makeService,
  makeSpec,
  makeTask,
} from '../../test/harness/cluster/index.js';
import { assignPorts } from '../ingress/index.js';
import { Orchestrator } from '../orchestrator/index.js';
import { Scheduler } from '../scheduler/index.js';
import { InMemoryObjectStore } from '../store/index.js';
import { assignVips, resolveNetworks } from './attach.js';
import { createNetwork, networkSpecOf } from './create.js';

const sealingKey = () => Buffer.alloc(32, 7);

async function storeWithNetwork(subnet?: string) {
  const store = new InMemoryObjectStore();
  const net = await store.update((tx) =>
    createNetwork(
      tx,
      store,
      networkSpecOf({ name: 'net', ...(subnet ? { subnet } : {}) }),
      sealingKey,
      0,
    ),
  );
  await store.seed('node', makeNode('n1'), makeNode('n2'));
  return { store, net };
}

async function serviceOn(store: InMemoryObjectStore, replicas: number): Promise<Service> {
  const spec = makeSpec('web', { mode: { replicated: { replicas } } });
  spec.taskTemplate.networks = [{ target: 'net', aliases: ['www'] }];
  const resolved = resolveNetworks(spec, store.list('network'));
  const s = makeService('web', resolved);
  await store.update((tx) => tx.create('service', assignVips(tx, s)));
  return store.get('service', 'web')!;
}

function loops(store: InMemoryObjectStore) {
  const clock = new ManualClock();
  const log = silentLogger();
  const scheduler = new Scheduler({ store, log, clock });
  const orchestrator = new Orchestrator({ store, log, clock, placement: scheduler });
  return { scheduler, orchestrator };
}

describe('network attachments', () => {
  it('gives every placed task one address per network, none twice, never the gateway or a VIP', async () => {
    const { store, net } = await storeWithNetwork();
    const s = await serviceOn(store, 20);
    const vip = s.endpoint!.virtualIps![0].address;
    await loops(store).orchestrator.runPass();
    const tasks = store.list('task');
    expect(tasks).toHaveLength(20);
    const addrs = tasks.map((t) => t.networks![0].address);
    expect(new Set(addrs).size).toBe(20);
    expect(addrs).not.toContain(net.gateway);
    expect(addrs).not.toContain(vip);
    expect(tasks[0].networks![0]).toMatchObject({
      networkId: net.id,
      vni: net.vni,
      aliases: ['www'],
    });
  });

  it('keeps a task pending with the reason when the subnet is full, placing it once one frees', async () => {
    // A /29: .1-.5 usable besides the gateway .6? No: the gateway is .1; .2-.6 are left, the VIP takes one.
    const { store } = await storeWithNetwork('10.20.0.0/29');
    await serviceOn(store, 5);
    const { orchestrator, scheduler } = loops(store);
    await orchestrator.runPass();
    const tasks = store.list('task');
    const pending = tasks.filter((t) => t.status.state === 'pending');
    expect(pending).toHaveLength(1);
    expect(pending[0].pendingReason).toBe('no free address left in 10.20.0.0/29 (network net)');
    expect(pending[0].nodeId).toBeUndefined();
    expect(pending[0].networks).toBeUndefined();
    // A task that stops gives its address back (the claim goes with the terminal state).
    const done = tasks.find((t) => t.networks)!;
    await store.update((tx) => {
      const t = tx.get('task', done.id)!;
      t.status = { ...t.status, state: 'shutdown' };
      t.desiredState = 'shutdown';
      tx.update('task', t);
    });
    await scheduler.runPass();
    const placed = store.get('task', pending[0].id)!;
    expect(placed.status.state).toBe('assigned');
    expect(placed.networks![0].address).toBe(done.networks![0].address);
  });

  it('hands out only addresses the store does not hold (what another manager placed counts)', async () => {
    const { store, net } = await storeWithNetwork('10.20.0.0/29');
    const s = await serviceOn(store, 0);
    // Written by "another manager": the claims come with the documents.
    const taken = ['10.20.0.2', '10.20.0.3', '10.20.0.4'].filter(
      (a) => a !== s.endpoint!.virtualIps![0].address,
    );
    await store.seed(
      'task',
      ...taken.map((address, i) =>
        makeTask(`other-${i}`, s, {
          slot: i + 1,
          nodeId: 'n1',
          status: { state: 'running', timestamp: '2026-01-01T00:00:00Z', message: '' },
          networks: [
            {
              networkId: net.id,
              name: 'net',
              subnet: net.subnet,
              gateway: net.gateway,
              vni: net.vni,
              address,
              aliases: [],
              internal: false,
              encrypted: false,
            },
          ],
        }),
      ),
    );
    await store.seed('task', makeTask('new', s, { slot: 9 }));
    await loops(store).scheduler.runPass();
    const t = store.get('task', 'new')!;
    const used = new Set([...taken, s.endpoint!.virtualIps![0].address, net.gateway]);
    expect(t.status.state).toBe('assigned');
    expect(used.has(t.networks![0].address)).toBe(false);
  });

  it('keeps a service its VIPs across updates and releases one when it leaves a network', async () => {
    const { store } = await storeWithNetwork();
    const s = await serviceOn(store, 1);
    const vip = s.endpoint!.virtualIps![0];
    const next = { ...s, version: 2, spec: { ...s.spec, labels: { a: 'b' } } };
    await store.update((tx) => tx.update('service', assignVips(tx, assignPorts(tx, store, next))));
    expect(store.get('service', 'web')!.endpoint!.virtualIps).toEqual([vip]);
    const dnsrr = structuredClone(store.get('service', 'web')!);
    dnsrr.spec.endpointSpec.mode = 'dnsrr';
    await store.update((tx) => tx.update('service', assignVips(tx, dnsrr)));
    expect(store.get('service', 'web')!.endpoint!.virtualIps).toBeUndefined();
    expect(store.claims('overlay-addrs').has(`${vip.networkId}/${vip.address}`)).toBe(false);
  });

  it('refuses an unknown network and a network listed twice', async () => {
    const { store } = await storeWithNetwork();
    const spec = makeSpec('x');
    spec.taskTemplate.networks = [{ target: 'nope' }];
    expect(() => resolveNetworks(spec, store.list('network'))).toThrow(/network nope not found/);
    spec.taskTemplate.networks = [{ target: 'net' }, { target: 'net' }];
    expect(() => resolveNetworks(spec, store.list('network'))).toThrow(/listed twice/);
    spec.taskTemplate.networks = [{ target: 'host' }];
    expect(resolveNetworks(spec, store.list('network')).taskTemplate.networks).toEqual([
      { target: 'host' },
    ]);
  });
});
