import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import type { OverlayChangeInfo, OverlayNetworkInfo } from '../network/index.js';
import { NodeNetworkSync, type NodeNetwork } from './node-network.js';
import { overlayChange, overlayNetwork } from './overlay-messages.js';

const wire = {
  networkId: 'n1',
  name: 's_back',
  vni: 4097,
  subnet: '10.0.9.0/24',
  gateway: '10.0.9.1',
  internal: true,
  encrypted: true,
  endpoints: [
    {
      address: '10.0.9.2',
      nodeId: 'node2',
      nodeAddr: '10.99.0.12',
      taskId: 't1',
      serviceId: 's1',
      names: ['back.1.t1'],
      serving: true,
    },
  ],
  services: [
    { serviceId: 's1', name: 's_back', aliases: ['back'], endpointMode: 'dnsrr', vip: '' },
  ],
  keys: [{ key: Buffer.from('k1'), spi: 7, generation: 3 }],
};

describe('overlay messages', () => {
  it('converts a network with endpoints, services and keys', () => {
    const n = overlayNetwork(wire);
    expect(n).toMatchObject({ networkId: 'n1', vni: 4097, internal: true, encrypted: true });
    expect(n.endpoints[0]).toMatchObject({ address: '10.0.9.2', nodeAddr: '10.99.0.12' });
    expect(n.services[0].endpointMode).toBe('dnsrr');
    expect(n.keys).toEqual([{ key: Buffer.from('k1'), spi: 7, generation: 3 }]);
  });

  it('reads an empty key list in a change as "unchanged" (proto3 cannot say absent)', () => {
    const base = {
      networkId: 'n1',
      set: null,
      removed: false,
      upsertEndpoints: [],
      removedEndpoints: ['10.0.9.2'],
      upsertServices: [],
      removedServices: [],
      keys: [],
    };
    const c = overlayChange(base);
    expect(c).not.toHaveProperty('keys');
    expect(c).not.toHaveProperty('set');
    expect(c.removedEndpoints).toEqual(['10.0.9.2']);
    expect(overlayChange({ ...base, keys: wire.keys }).keys).toHaveLength(1);
    expect(overlayChange({ ...base, set: wire }).set?.name).toBe('s_back');
  });
});

describe('NodeNetworkSync overlays', () => {
  it('applies the complete set and every change in arrival order, none coalesced', async () => {
    const seen: string[] = [];
    let release: () => void = () => undefined;
    const network = {
      setOverlays: (nets: OverlayNetworkInfo[]) => {
        seen.push(`set ${nets.length}`);
        return new Promise<void>((r) => (release = r));
      },
      applyOverlayChanges: async (changes: OverlayChangeInfo[]) => {
        seen.push(`changes ${changes.map((c) => c.removedEndpoints.join()).join()}`);
      },
    } as unknown as NodeNetwork;
    const sync = new NodeNetworkSync({ network, log: silentLogger() });
    void sync.applyOverlays([overlayNetwork(wire)]);
    const change = (a: string) =>
      overlayChange({
        ...wire,
        set: null,
        removed: false,
        upsertEndpoints: [],
        removedEndpoints: [a],
        upsertServices: [],
        removedServices: [],
        keys: [],
      });
    void sync.applyOverlayChanges([change('10.0.9.2')]);
    const last = sync.applyOverlayChanges([change('10.0.9.3')]);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['set 1']);
    release();
    await last;
    expect(seen).toEqual(['set 1', 'changes 10.0.9.2', 'changes 10.0.9.3']);
  });
});
