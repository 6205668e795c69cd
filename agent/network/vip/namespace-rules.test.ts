import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/log/index.js';
import { DiscoveryTable, ReaderOverlayView } from '../discovery/index.js';
import { fixtureView, N1 } from '../discovery/fixture-view.js';
import { VipRules } from './namespace-rules.js';

function setup() {
  const view = fixtureView();
  const table = new DiscoveryTable(new ReaderOverlayView(view));
  const restored: { netns: string; rules: string; noflush: boolean }[] = [];
  const forgotten: { netns: string; addresses: string[] }[] = [];
  const vip = new VipRules({
    table,
    log: silentLogger(),
    restore: async (netns, rules, noflush) => void restored.push({ netns, rules, noflush }),
    forget: async (netns, addresses) => void forgotten.push({ netns, addresses }),
  });
  return { view, vip, restored, forgotten };
}

const stopServing = (address: string, names: string[]) => ({
  networkId: N1,
  upsertEndpoints: [{ address, serviceId: 'svc-back', names, serving: false }],
});

describe('VipRules', () => {
  it('writes every local container namespace once at start', async () => {
    const { vip, restored } = setup();
    await vip.start();
    expect(restored.map((r) => r.netns).sort()).toEqual(['/run/netns/front', '/run/netns/lonely']);
    expect(restored.find((r) => r.netns === '/run/netns/front')!.rules).toContain(
      '--to-destination 10.50.0.21',
    );
    await vip.stop();
  });

  it('rewrites only the namespaces on the changed network, once per burst', async () => {
    const { view, vip, restored, forgotten } = setup();
    await vip.start();
    restored.length = 0;
    view.applyChanges([stopServing('10.50.0.21', ['s_back.1.b1'])]);
    view.applyChanges([stopServing('10.50.0.22', ['s_back.2.b2'])]);
    await vip.settled();
    expect(restored.map((r) => [r.netns, r.noflush])).toEqual([['/run/netns/front', false]]);
    expect(restored[0].rules).not.toContain('10.50.0.21');
    expect(restored[0].rules).toContain('-d 10.50.0.3/32 -p tcp -j REJECT');
    expect(forgotten).toEqual([
      { netns: '/run/netns/front', addresses: ['10.50.0.21', '10.50.0.22'] },
    ]);
    await vip.stop();
  });

  it('rewrites only the changed VIP chain while the skeleton stays, and forgets the left address', async () => {
    const { view, vip, restored, forgotten } = setup();
    await vip.start();
    restored.length = 0;
    view.applyChanges([stopServing('10.50.0.21', ['s_back.1.b1'])]);
    await vip.settled();
    expect(restored).toEqual([
      {
        netns: '/run/netns/front',
        noflush: true,
        rules:
          '*nat\n:FLOTILLA-VIP-0A320003 - [0:0]\n-A FLOTILLA-VIP-0A320003 -j DNAT --to-destination 10.50.0.22\nCOMMIT\n',
      },
    ]);
    expect(forgotten).toEqual([{ netns: '/run/netns/front', addresses: ['10.50.0.21'] }]);
    await vip.stop();
  });

  it('skips a rewrite that would not change the namespace', async () => {
    const { view, vip, restored } = setup();
    await vip.start();
    restored.length = 0;
    view.applyChanges([{ networkId: N1, upsertEndpoints: [] }]);
    await vip.settled();
    expect(restored).toEqual([]);
    await vip.stop();
  });

  it('writes a new container at once and forgets one that went, without touching it', async () => {
    const { view, vip, restored } = setup();
    await vip.start();
    restored.length = 0;
    view.setContainer({
      containerId: 'new',
      netnsPath: '/run/netns/new',
      interfaces: [{ networkId: N1, address: '10.50.0.50' }],
    });
    view.removeContainer('front-ctr');
    await vip.settled();
    expect(restored.map((r) => r.netns)).toEqual(['/run/netns/new']);
    restored.length = 0;
    view.applyChanges([stopServing('10.50.0.21', ['s_back.1.b1'])]);
    await vip.settled();
    expect(restored.map((r) => r.netns)).toEqual(['/run/netns/new']);
    await vip.stop();
  });

  it('tries a failed rewrite again while the namespace exists', async () => {
    const view = fixtureView();
    view.setContainer({
      containerId: 'front-ctr',
      netnsPath: '/proc/self/ns/net', // a path that exists: the failure is not "namespace gone"
      interfaces: [{ networkId: N1, address: '10.50.0.10' }],
    });
    let fail = 1;
    const restored: string[] = [];
    const vip = new VipRules({
      table: new DiscoveryTable(new ReaderOverlayView(view)),
      log: silentLogger(),
      retryMs: 1,
      restore: async (netns) => {
        if (netns === '/proc/self/ns/net' && fail-- > 0) throw new Error('busy');
        restored.push(netns);
      },
      forget: async () => {},
    });
    await vip.start();
    await new Promise<void>((resolve) => {
      const poll = () => (restored.includes('/proc/self/ns/net') ? resolve() : setImmediate(poll));
      poll();
    });
    await vip.stop();
  });
});
