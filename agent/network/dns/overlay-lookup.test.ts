import { describe, expect, it } from 'vitest';
import { DiscoveryTable, ReaderOverlayView } from '../discovery/index.js';
import { fixtureView, N1, N2 } from '../discovery/fixture-view.js';
import { lookupOverlayName } from './overlay-lookup.js';

function setup() {
  const view = fixtureView();
  const table = new DiscoveryTable(new ReaderOverlayView(view));
  const fromFront = (name: string) => lookupOverlayName(table, N1, '10.50.0.10', name);
  return { view, table, fromFront };
}

const answer = (...addresses: string[]) => ({ kind: 'answer', addresses });

describe('lookupOverlayName', () => {
  it('answers a vip service, its full name and every alias with the VIP', () => {
    const { fromFront } = setup();
    for (const name of ['back', 's_back', 'backend', 'BACK.', 'Backend'])
      expect(fromFront(name)).toEqual(answer('10.50.0.3'));
  });

  it('answers tasks.NAME and tasks.ALIAS with serving task addresses only', () => {
    const { fromFront } = setup();
    for (const name of ['tasks.back', 'tasks.s_back', 'tasks.backend'])
      expect(fromFront(name)).toEqual(answer('10.50.0.21', '10.50.0.22'));
  });

  it('answers a dnsrr service with its serving task addresses, not a VIP', () => {
    const { fromFront } = setup();
    expect(fromFront('rr')).toEqual(answer('10.50.0.31', '10.50.0.32'));
    expect(fromFront('tasks.rr')).toEqual(answer('10.50.0.31', '10.50.0.32'));
  });

  it('answers task names of serving endpoints and refuses the others as NXDOMAIN', () => {
    const { fromFront } = setup();
    expect(fromFront('s_back.1.b1')).toEqual(answer('10.50.0.21'));
    expect(fromFront('s_back.3.b3')).toEqual({ kind: 'nxdomain' });
  });

  it('keeps the VIP of a service with no serving task, but tasks.NAME is NXDOMAIN', () => {
    const { fromFront } = setup();
    expect(fromFront('idle')).toEqual(answer('10.50.0.4'));
    expect(fromFront('tasks.idle')).toEqual({ kind: 'nxdomain' });
  });

  it('does not resolve names of a network the caller is not on, and does not forward them', () => {
    const { fromFront, table } = setup();
    for (const name of ['lonely', 's_lonely', 'tasks.lonely', 's_lonely.1.l1'])
      expect(fromFront(name)).toEqual({ kind: 'nxdomain' });
    expect(lookupOverlayName(table, N2, '10.51.0.10', 'lonely')).toEqual(answer('10.51.0.2'));
    expect(lookupOverlayName(table, N2, '10.51.0.10', 'back')).toEqual({ kind: 'nxdomain' });
  });

  it('forwards names no network on this node knows', () => {
    const { fromFront } = setup();
    expect(fromFront('example.org')).toEqual({ kind: 'forward' });
    expect(fromFront('tasks.nothing')).toEqual({ kind: 'forward' });
  });

  it('refuses a source address that is no local container on that network', () => {
    const { table } = setup();
    expect(lookupOverlayName(table, N1, '10.50.0.99', 'back')).toEqual({ kind: 'refused' });
    // The right address on the wrong network (the query came in on another bridge).
    expect(lookupOverlayName(table, N2, '10.50.0.10', 'back')).toEqual({ kind: 'refused' });
  });

  it('answers a caller on two networks from both, the first interface first', () => {
    const { view, table } = setup();
    view.setContainer({
      containerId: 'both',
      netnsPath: '/run/netns/both',
      interfaces: [
        { networkId: N2, address: '10.51.0.40' },
        { networkId: N1, address: '10.50.0.40' },
      ],
    });
    expect(lookupOverlayName(table, N2, '10.51.0.40', 'lonely')).toEqual(answer('10.51.0.2'));
    expect(lookupOverlayName(table, N2, '10.51.0.40', 'back')).toEqual(answer('10.50.0.3'));
  });

  it('follows changes: a task that stops serving leaves the answers, a new one joins', () => {
    const { view, fromFront } = setup();
    view.applyChanges([
      {
        networkId: N1,
        upsertEndpoints: [
          { address: '10.50.0.21', serviceId: 'svc-back', names: ['s_back.1.b1'], serving: false },
          { address: '10.50.0.23', serviceId: 'svc-back', names: ['s_back.3.b3'], serving: true },
        ],
        removedEndpoints: ['10.50.0.22'],
      },
    ]);
    expect(fromFront('tasks.back')).toEqual(answer('10.50.0.23'));
    view.applyChanges([{ networkId: N1, removedServices: ['svc-back'] }]);
    expect(fromFront('back')).toEqual({ kind: 'forward' });
  });

  it('answers nothing once the network is removed from the node', () => {
    const { view, fromFront } = setup();
    view.applyChanges([{ networkId: N1, removed: true }]);
    expect(fromFront('back')).toEqual({ kind: 'refused' });
  });
});
