import { describe, expect, it } from 'vitest';
import { makeNode } from '../../test/harness/cluster/index.js';
import { InMemoryObjectStore } from '../store/index.js';
import { createNetwork, networkSpecOf } from './create.js';
import { overlayView } from './overlay-state.js';
import { attachContainer, attachedContainers, detachContainer } from './standalone.js';

const sealingKey = () => Buffer.alloc(32, 7);
const now = '2026-01-01T00:00:00.000Z';

async function storeWith(...nets: { name: string; attachable: boolean; subnet?: string }[]) {
  const store = new InMemoryObjectStore();
  for (const n of nets)
    await store.update((tx) => createNetwork(tx, store, networkSpecOf(n), sealingKey, 0));
  await store.seed(
    'node',
    makeNode('n1', { description: { addr: '192.0.2.1' } }),
    makeNode('n2', { description: { addr: '192.0.2.2' } }),
  );
  return store;
}

const req = (target: string, containerId = 'c1', containerName = 'probe') => ({
  target,
  containerId,
  containerName,
  aliases: ['p'],
});

describe('attachContainer', () => {
  it('claims an address of the network and records the attachment in the same transaction', async () => {
    const store = await storeWith({ name: 'open', attachable: true, subnet: '10.30.0.0/24' });
    const r = await attachContainer(store, 'n2', req('open'), now);
    const net = store.list('network')[0];
    expect(r.network).toMatchObject({
      networkId: net.id,
      name: 'open',
      subnet: '10.30.0.0/24',
      gateway: '10.30.0.1',
      vni: net.vni,
      aliases: ['p'],
    });
    expect(r.network.address).toMatch(/^10\.30\.0\.\d+$/);
    expect(r.network.address).not.toBe('10.30.0.1');
    expect(store.get('attachment', r.attachment.id)).toMatchObject({
      nodeId: 'n2',
      networkId: net.id,
      address: r.network.address,
      containerId: 'c1',
      containerName: 'probe',
    });
    expect(store.claims('overlay-addrs').get(`${net.id}/${r.network.address}`)).toBe(
      r.attachment.id,
    );
  });

  it('gives two containers two addresses, and the same one again to a retried request', async () => {
    const store = await storeWith({ name: 'open', attachable: true });
    const a = await attachContainer(store, 'n1', req('open', 'c1', 'one'), now);
    const b = await attachContainer(store, 'n2', req('open', 'c2', 'two'), now);
    const again = await attachContainer(store, 'n1', req('open', 'c1', 'one'), now);
    expect(a.network.address).not.toBe(b.network.address);
    expect(again.attachment.id).toBe(a.attachment.id);
    expect(store.list('attachment')).toHaveLength(2);
  });

  it('refuses a network that is not attachable (PERMISSION_DENIED) and writes nothing', async () => {
    const store = await storeWith({ name: 'closed', attachable: false });
    const err = await attachContainer(store, 'n1', req('closed'), now).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'NETWORK_NOT_ATTACHABLE',
      kind: 'permission_denied',
      message: 'network closed not manually attachable',
    });
    expect(store.list('attachment')).toEqual([]);
    expect(store.claims('overlay-addrs').size).toBe(0);
  });

  it('refuses an unknown network', async () => {
    const store = await storeWith();
    await expect(attachContainer(store, 'n1', req('nope'), now)).rejects.toMatchObject({
      code: 'NETWORK_NOT_FOUND',
    });
  });
});

describe('detachContainer', () => {
  it('releases the address; a second detach is no error; another node cannot', async () => {
    const store = await storeWith({ name: 'open', attachable: true });
    const r = await attachContainer(store, 'n1', req('open'), now);
    await expect(detachContainer(store, 'n2', r.attachment.id)).rejects.toMatchObject({
      code: 'NETWORK_ATTACHMENT_FOREIGN',
    });
    await detachContainer(store, 'n1', r.attachment.id);
    expect(store.list('attachment')).toEqual([]);
    expect(store.claims('overlay-addrs').size).toBe(0);
    await detachContainer(store, 'n1', r.attachment.id);
    // The address is free again.
    const next = await attachContainer(store, 'n1', req('open', 'c9', 'next'), now);
    expect(next.network.address).toBeTruthy();
  });
});

describe('attachments in the overlay view', () => {
  it('are endpoints named by the container, serving, and make their node a member', async () => {
    const store = await storeWith({ name: 'open', attachable: true });
    const r = await attachContainer(store, 'n2', req('open'), now);
    const net = store.list('network')[0];
    const v = overlayView(
      store.list('network'),
      [],
      [],
      store.list('node'),
      () => [],
      store.list('attachment'),
    );
    expect(v.networks.get(net.id)?.endpoints).toEqual([
      {
        address: r.network.address,
        nodeId: 'n2',
        nodeAddr: '192.0.2.2',
        taskId: '',
        serviceId: '',
        names: ['probe', 'p'],
        serving: true,
      },
    ]);
    expect([...(v.members.get('n2') ?? [])]).toEqual([net.id]);
    expect(attachedContainers(net.id, store.list('attachment'))).toEqual(['probe']);
  });
});
