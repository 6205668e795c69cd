import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/log/index.js';
import type { HookContext } from '../types.js';
import { meshHook, networkHook } from './network.js';

function context(networks: string[], ensured: string[], overlays: string[] = []): HookContext {
  return {
    task: {
      spec: { networks: networks.map((target) => ({ target })), containerSpec: { image: 'x' } },
      networks: overlays.map((networkId) => ({ networkId })),
      endpointPorts: [{ target: 80, published: 8080, protocol: 'tcp', mode: 'host' }],
    } as unknown as HookContext['task'],
    engine: {} as HookContext['engine'],
    networks: {
      ensureNetwork: async (name) => {
        ensured.push(name);
      },
    },
    log: silentLogger(),
    signal: new AbortController().signal,
    nodeId: 'n1',
    createOptions: { image: 'x' },
    report: () => undefined,
    onFinish: () => undefined,
    fail: () => undefined,
  };
}

describe('network hook', () => {
  it('creates a stack network on first use and attaches the task to it', async () => {
    const ensured: string[] = [];
    const ctx = context(['demo_default'], ensured);
    await networkHook.run(ctx);
    expect(ensured).toEqual(['demo_default']);
    expect(ctx.createOptions.network).toBe('demo_default');
    expect(ctx.createOptions.ports).toEqual([
      { hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    ]);
  });

  it('leaves the built-in networks alone', async () => {
    const ensured: string[] = [];
    for (const n of [[], ['bridge'], ['host'], ['none']])
      await networkHook.run(context(n, ensured));
    expect(ensured).toEqual([]);
  });
});

describe('network hook with cluster networks', () => {
  const overlay = (name: string, internal: boolean) => ({
    networkId: `${name}-id`,
    name,
    subnet: '10.0.9.0/24',
    gateway: '10.0.9.1',
    vni: 4097,
    address: '10.0.9.5',
    aliases: ['back'],
    internal,
    encrypted: false,
  });

  it('keeps eth0 on the node bridge and attaches every overlay with its address', async () => {
    const ensured: string[] = [];
    const ctx = context(['s_default'], ensured);
    ctx.task.networks = [overlay('s_front', false), overlay('s_back', true)];
    await networkHook.run(ctx);
    expect(ensured).toEqual([]);
    expect(ctx.createOptions.network).toBe('bridge');
    expect(ctx.createOptions.overlays?.map((n) => n.name)).toEqual(['s_front', 's_back']);
    expect(ctx.createOptions.overlays?.[0].address).toBe('10.0.9.5');
  });

  it('gives a task on internal networks only, publishing nothing, no way out', async () => {
    const ctx = context([], []);
    ctx.task.endpointPorts = [];
    ctx.task.networks = [overlay('s_db', true)];
    await networkHook.run(ctx);
    expect(ctx.createOptions.network).toBe('none');
    expect(ctx.createOptions.overlays).toHaveLength(1);
  });

  it('keeps eth0 for an internal-only task that publishes a port', async () => {
    const ctx = context([], []);
    ctx.task.networks = [overlay('s_db', true)];
    await networkHook.run(ctx);
    expect(ctx.createOptions.network).toBe('bridge');
  });
});

describe('mesh hook', () => {
  const withIngress = (network: string, connected: string[]) => {
    const ctx = context([network], []);
    ctx.task.endpointPorts = [{ target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' }];
    ctx.createOptions.network = network;
    ctx.containerId = 'c1';
    ctx.networks!.connect = async (net, id) => {
      connected.push(`${net} ${id}`);
    };
    return ctx;
  };

  it('gives a task with ingress ports on a stack network an address on the routed bridge', async () => {
    const connected: string[] = [];
    await meshHook.run(withIngress('demo_default', connected));
    expect(connected).toEqual(['bridge c1']);
  });

  it('leaves tasks on the built-in networks and tasks without ingress ports alone', async () => {
    const connected: string[] = [];
    for (const n of ['bridge', 'host']) await meshHook.run(withIngress(n, connected));
    const plain = withIngress('demo_default', connected);
    plain.task.endpointPorts = [{ target: 80, published: 8080, protocol: 'tcp', mode: 'host' }];
    await meshHook.run(plain);
    expect(connected).toEqual([]);
  });
});
