import { describe, expect, it } from 'vitest';
import {
  diffOverlay,
  diffOverlayNetwork,
  OverlaySet,
  compareAddr,
  type OverlayEndpoint,
  type OverlayNetworkState,
} from './overlay.js';

const ep = (address: string, serving = true, nodeId = 'n1'): OverlayEndpoint => ({
  address,
  nodeId,
  nodeAddr: `192.168.0.${nodeId.slice(1)}`,
  taskId: `t-${address}`,
  serviceId: 's1',
  names: [`web.1.t-${address}`],
  serving,
});

const net = (id: string, endpoints: OverlayEndpoint[], over: Partial<OverlayNetworkState> = {}) =>
  ({
    networkId: id,
    name: `net-${id}`,
    vni: 4096,
    subnet: '10.10.0.0/24',
    gateway: '10.10.0.1',
    internal: false,
    encrypted: false,
    endpoints: [...endpoints].sort((a, b) => compareAddr(a.address, b.address)),
    services: [
      { serviceId: 's1', name: 'web', aliases: [], endpointMode: 'vip', vip: '10.10.0.2' },
    ],
    keys: [],
    ...over,
  }) satisfies OverlayNetworkState;

/** A small deterministic random generator (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSet(r: () => number): OverlayNetworkState[] {
  const out: OverlayNetworkState[] = [];
  for (const id of ['a', 'b', 'c'])
    if (r() < 0.7) {
      const eps = Array.from({ length: 12 }, (_, i) =>
        ep(`10.10.0.${i + 3}`, r() < 0.7, `n${1 + Math.floor(r() * 3)}`),
      ).filter(() => r() < 0.5);
      const keys =
        r() < 0.5
          ? [{ key: new Uint8Array(20).fill(Math.floor(r() * 3)), spi: 7, generation: 1 }]
          : [];
      const services = r() < 0.8 ? net(id, []).services : [];
      out.push(net(id, eps, { keys, services, gateway: r() < 0.9 ? '10.10.0.1' : '10.10.0.254' }));
    }
  return out.sort((x, y) => x.name.localeCompare(y.name));
}

describe('diffOverlay / OverlaySet', () => {
  it('sends only the endpoints that changed, matched by address', () => {
    const before = net('a', [ep('10.10.0.3'), ep('10.10.0.4')]);
    const after = net('a', [ep('10.10.0.4', false), ep('10.10.0.5')]);
    expect(diffOverlayNetwork(before, after)).toEqual({
      networkId: 'a',
      upsertEndpoints: [ep('10.10.0.4', false), ep('10.10.0.5')],
      removedEndpoints: ['10.10.0.3'],
    });
    expect(diffOverlayNetwork(after, after)).toBeUndefined();
  });

  it('sends the whole entry when the network itself changed, and removal when it left', () => {
    const a = net('a', [ep('10.10.0.3')]);
    const b = net('b', []);
    const a2 = { ...a, internal: true };
    expect(diffOverlay([a, b], [a2])).toEqual([
      { networkId: 'a', set: a2 },
      { networkId: 'b', removed: true },
    ]);
  });

  it('sends the complete key list only when the keys changed', () => {
    const k1 = { key: new Uint8Array(20).fill(1), spi: 1, generation: 1 };
    const k2 = { key: new Uint8Array(20).fill(2), spi: 2, generation: 2 };
    const before = net('a', [], { encrypted: true, keys: [k1] });
    const after = net('a', [], { encrypted: true, keys: [k1, k2] });
    expect(diffOverlayNetwork(before, after)).toEqual({ networkId: 'a', keys: [k1, k2] });
    expect(diffOverlayNetwork(after, { ...after, keys: [{ ...k2 }] })?.keys).toEqual([k2]);
  });

  it('ignores a partial change for a network it does not hold, and reports what it touched', () => {
    const set = new OverlaySet();
    expect(set.apply([{ networkId: 'x', upsertEndpoints: [ep('10.10.0.9')] }])).toEqual([]);
    expect(set.list()).toEqual([]);
  });

  it('orders endpoints numerically', () => {
    const set = new OverlaySet();
    set.replace([net('a', [ep('10.10.0.10'), ep('10.10.0.9')])]);
    expect(set.get('a')!.endpoints.map((e) => e.address)).toEqual(['10.10.0.9', '10.10.0.10']);
  });

  it('accepts the proto shape (null set, empty arrays, removed false) as a partial change', () => {
    const set = new OverlaySet();
    set.replace([net('a', [ep('10.10.0.3')])]);
    set.apply([
      {
        networkId: 'a',
        set: null,
        removed: false,
        upsertEndpoints: [ep('10.10.0.4')],
        removedEndpoints: [],
        upsertServices: [],
        removedServices: [],
        keys: [],
      },
    ]);
    expect(set.get('a')).toEqual(net('a', [ep('10.10.0.3'), ep('10.10.0.4')]));
  });

  it('applying the diff of any two sets turns the first into the second', () => {
    const r = rng(12);
    for (let i = 0; i < 500; i++) {
      const before = randomSet(r);
      const after = randomSet(r);
      const set = new OverlaySet();
      set.replace(before);
      expect(set.list()).toEqual(before);
      set.apply(diffOverlay(before, after));
      expect(set.list()).toEqual(after);
    }
  });
});
