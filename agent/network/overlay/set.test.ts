import { describe, expect, it } from 'vitest';
import { OverlayInfoSet } from './set.js';
import type { OverlayChangeInfo, OverlayEndpointInfo, OverlayNetworkInfo } from './state.js';

const ep = (address: string, nodeAddr = '10.99.0.12'): OverlayEndpointInfo => ({
  address,
  nodeId: 'n2',
  nodeAddr,
  taskId: 't',
  serviceId: 's',
  names: [],
  serving: true,
});
const net = (id: string, endpoints: OverlayEndpointInfo[]): OverlayNetworkInfo => ({
  networkId: id,
  name: id,
  vni: 4097,
  subnet: '10.0.9.0/24',
  gateway: '10.0.9.1',
  internal: false,
  encrypted: false,
  endpoints,
  services: [],
  keys: [],
});
const change = (networkId: string, c: Partial<OverlayChangeInfo>): OverlayChangeInfo => ({
  networkId,
  upsertEndpoints: [],
  removedEndpoints: [],
  upsertServices: [],
  removedServices: [],
  ...c,
});

describe('OverlayInfoSet', () => {
  it('replaces the set and names every network added or dropped', () => {
    const s = new OverlayInfoSet();
    s.replace([net('a', []), net('b', [])]);
    expect(s.replace([net('b', []), net('c', [])]).sort()).toEqual(['a', 'b', 'c']);
    expect(s.list().map((n) => n.networkId)).toEqual(['b', 'c']);
  });

  it('applies endpoint and service changes by address and id, and key lists whole', () => {
    const s = new OverlayInfoSet();
    s.replace([net('a', [ep('10.0.9.2'), ep('10.0.9.3')])]);
    const touched = s.apply([
      change('a', {
        upsertEndpoints: [ep('10.0.9.3', '10.99.0.13'), ep('10.0.9.4')],
        removedEndpoints: ['10.0.9.2'],
        upsertServices: [
          {
            serviceId: 's',
            name: 'st_back',
            aliases: ['back'],
            endpointMode: 'vip',
            vip: '10.0.9.9',
          },
        ],
        keys: [{ key: Buffer.alloc(16), spi: 3, generation: 1 }],
      }),
    ]);
    expect(touched).toEqual(['a']);
    const a = s.get('a')!;
    expect(a.endpoints.map((e) => [e.address, e.nodeAddr])).toEqual([
      ['10.0.9.3', '10.99.0.13'],
      ['10.0.9.4', '10.99.0.12'],
    ]);
    expect(a.services.map((x) => x.vip)).toEqual(['10.0.9.9']);
    expect(a.keys.map((k) => k.spi)).toEqual([3]);
  });

  it('adds with set, drops with removed, and ignores changes to a network it does not hold', () => {
    const s = new OverlayInfoSet();
    s.apply([
      change('a', { set: net('a', [ep('10.0.9.2')]) }),
      change('x', { removedEndpoints: ['1.2.3.4'] }),
    ]);
    expect(s.list().map((n) => n.networkId)).toEqual(['a']);
    s.apply([change('a', { removed: true })]);
    expect(s.list()).toEqual([]);
  });
});
