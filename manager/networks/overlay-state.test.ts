import { describe, expect, it } from 'vitest';
import type { Network, Task } from '../../shared/model/index.js';
import { makeNode, makeService, makeSpec, makeTask } from '../../test/harness/cluster/index.js';
import { isServing, overlayView } from './overlay-state.js';

const net: Network = {
  id: 'net1',
  version: 1,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  spec: {
    name: 'back',
    driver: 'overlay',
    labels: {},
    internal: false,
    attachable: false,
    encrypted: true,
    driverOpts: {},
  },
  subnet: '10.10.0.0/24',
  gateway: '10.10.0.1',
  vni: 4096,
};
const spec = makeSpec('s_back');
spec.taskTemplate.networks = [{ target: 'net1', aliases: ['back', 'backend', 'back'] }];
const service = makeService('svc1', spec, {
  endpoint: { ports: [], virtualIps: [{ networkId: 'net1', address: '10.10.0.2' }] },
});
const attached = (id: string, nodeId: string, address: string, o: Partial<Task> = {}) =>
  makeTask(id, service, {
    nodeId,
    status: { state: 'running', timestamp: '2026-01-01T00:00:00Z', message: '' },
    networks: [
      {
        networkId: 'net1',
        name: 'back',
        subnet: net.subnet,
        gateway: net.gateway,
        vni: 4096,
        address,
        aliases: [],
        internal: false,
        encrypted: true,
      },
    ],
    ...o,
  });

describe('overlayView', () => {
  it('lists every endpoint on every node, the services with VIP and aliases, keys, and members', () => {
    const tasks = [
      attached('t1', 'n1', '10.10.0.10'),
      attached('t2', 'n2', '10.10.0.9', { desiredState: 'shutdown' }),
      attached('t3', 'n2', '10.10.0.11', {
        status: { state: 'complete', timestamp: '2026-01-01T00:00:00Z', message: '' },
      }),
    ];
    const nodes = [
      makeNode('n1', { description: { addr: '192.0.2.1' } }),
      makeNode('n2', { description: { addr: '192.0.2.2' } }),
      makeNode('n3'),
    ];
    const key = { key: new Uint8Array(20), spi: 300, generation: 1 };
    const v = overlayView([net], [service], tasks, nodes, () => [key]);
    const n = v.networks.get('net1')!;
    expect(n.endpoints).toEqual([
      {
        address: '10.10.0.9',
        nodeId: 'n2',
        nodeAddr: '192.0.2.2',
        taskId: 't2',
        serviceId: 'svc1',
        names: ['s_back.1.t2'],
        serving: false,
      },
      {
        address: '10.10.0.10',
        nodeId: 'n1',
        nodeAddr: '192.0.2.1',
        taskId: 't1',
        serviceId: 'svc1',
        names: ['s_back.1.t1'],
        serving: true,
      },
    ]);
    expect(n.services).toEqual([
      {
        serviceId: 'svc1',
        name: 's_back',
        aliases: ['back', 'backend'],
        endpointMode: 'vip',
        vip: '10.10.0.2',
      },
    ]);
    expect(n.keys).toEqual([key]);
    expect(v.members).toEqual(
      new Map([
        ['n1', new Set(['net1'])],
        ['n2', new Set(['net1'])],
      ]),
    );
  });

  it('serves only running tasks that should run, healthy where they have a healthcheck', () => {
    const t = attached('t1', 'n1', '10.10.0.10');
    expect(isServing(t)).toBe(true);
    expect(isServing({ ...t, desiredState: 'shutdown' })).toBe(false);
    expect(isServing({ ...t, status: { ...t.status, health: 'starting' } })).toBe(false);
    expect(isServing({ ...t, status: { ...t.status, health: 'healthy' } })).toBe(true);
  });
});
