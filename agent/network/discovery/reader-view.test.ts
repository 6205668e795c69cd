import { describe, expect, it } from 'vitest';
import type { LocalOverlayEndpoint, OverlayStateReader } from '../overlay/state.js';
import { fixtureView, N1, N2 } from './fixture-view.js';
import { ReaderOverlayView } from './reader-view.js';
import type { OverlayViewChange } from './view.js';

describe('ReaderOverlayView', () => {
  it('groups local endpoints into containers, interfaces in ifName order', () => {
    const base = fixtureView();
    const locals: Record<string, LocalOverlayEndpoint[]> = {
      [N1]: [{ containerId: 'c', netns: 'flt-c', ifName: 'eth10', address: '10.50.0.9' }],
      [N2]: [{ containerId: 'c', netns: 'flt-c', ifName: 'eth2', address: '10.51.0.9' }],
    };
    const reader: OverlayStateReader = {
      networks: () => base.networks(),
      network: (id) => base.network(id),
      localEndpoints: (id) => locals[id] ?? [],
      subscribe: (l) => base.subscribe(l),
    };
    expect(new ReaderOverlayView(reader).localContainer('c')).toEqual({
      containerId: 'c',
      netnsPath: '/run/netns/flt-c',
      interfaces: [
        { networkId: N2, address: '10.51.0.9' },
        { networkId: N1, address: '10.50.0.9' },
      ],
    });
  });

  it('names the containers that came, went or changed, and the changed networks', () => {
    const state = fixtureView();
    const view = new ReaderOverlayView(state);
    const seen: OverlayViewChange[] = [];
    view.onChange((c) => seen.push(c));
    state.setContainer({
      containerId: 'new',
      netnsPath: '/run/netns/new',
      interfaces: [{ networkId: N1, address: '10.50.0.60' }],
    });
    state.removeContainer('lonely-ctr');
    state.applyChanges([{ networkId: N1, upsertEndpoints: [] }]);
    expect(seen).toEqual([
      { networkIds: [N1], containerIds: ['new'] },
      { networkIds: [N2], containerIds: ['lonely-ctr'] },
      { networkIds: [N1], containerIds: [] },
    ]);
    expect(view.localContainer('lonely-ctr')).toBeUndefined();
  });

  it('reads a network from the reader once per change, not once per question', () => {
    const state = fixtureView();
    let reads = 0;
    const reader: OverlayStateReader = {
      networks: () => state.networks(),
      network: (id) => (reads++, state.network(id)),
      localEndpoints: (id) => state.localEndpoints(id),
      subscribe: (l) => state.subscribe(l),
    };
    const view = new ReaderOverlayView(reader);
    for (let i = 0; i < 5; i++) expect(view.network(N1)?.services.size).toBe(4);
    expect(reads).toBe(1);
    state.applyChanges([{ networkId: N1, removedServices: ['svc-idle'] }]);
    expect(view.network(N1)?.services.size).toBe(3);
    expect(reads).toBe(2);
  });
});
