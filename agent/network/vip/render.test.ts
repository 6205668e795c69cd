import { describe, expect, it } from 'vitest';
import { DiscoveryTable, ReaderOverlayView } from '../discovery/index.js';
import { fixtureView, N1 } from '../discovery/fixture-view.js';
import {
  namespaceRules,
  renderChainUpdate,
  renderNamespaceRules,
  renderVipFragment,
  vipChain,
} from './render.js';

describe('renderVipFragment', () => {
  const table = new DiscoveryTable(new ReaderOverlayView(fixtureView()));
  const f = renderVipFragment(table.names(N1)!);

  it('spreads each VIP over its serving endpoints with a 1/(n-i) ladder, every port', () => {
    const chain = vipChain('10.50.0.3');
    expect(chain).toBe('FLOTILLA-VIP-0A320003');
    expect(f.jumps).toContain(`-A FLOTILLA-VIP -d 10.50.0.3/32 -j ${chain}`);
    expect(f.chains.get(chain)?.split('\n')).toEqual([
      `-A ${chain} -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination 10.50.0.21`,
      `-A ${chain} -j DNAT --to-destination 10.50.0.22`,
    ]);
  });

  it('leaves out endpoints that do not serve, and dnsrr services altogether', () => {
    const nat = [...f.jumps, ...f.chains.values()].join('\n');
    expect(nat).not.toContain('10.50.0.23');
    expect(nat).not.toContain('10.50.0.31');
    expect(f.filterRules.join('\n')).not.toContain('10.50.0.31');
  });

  it('refuses every VIP that no DNAT took (no serving task): tcp reset, icmp otherwise', () => {
    expect(f.chains.has(vipChain('10.50.0.4'))).toBe(false);
    expect(f.filterRules).toContain(
      '-A FLOTILLA-VIP -d 10.50.0.4/32 -p tcp -j REJECT --reject-with tcp-reset',
    );
    expect(f.filterRules).toContain(
      '-A FLOTILLA-VIP -d 10.50.0.4/32 -j REJECT --reject-with icmp-port-unreachable',
    );
  });

  it('renders complete nat and filter tables with the jumps from OUTPUT', () => {
    const text = renderNamespaceRules(namespaceRules([f]));
    expect(text.startsWith('*nat\n')).toBe(true);
    expect(text).toContain(':FLOTILLA-VIP-0A320003 - [0:0]');
    expect(text.match(/-A OUTPUT -j FLOTILLA-VIP\n/g)).toHaveLength(2);
    expect(text.match(/^COMMIT$/gm)).toHaveLength(2);
  });

  it('rewrites only the named chains for an update (--noflush input)', () => {
    const text = renderChainUpdate(namespaceRules([f]), [vipChain('10.50.0.3')]);
    expect(text).toBe(
      [
        '*nat',
        ':FLOTILLA-VIP-0A320003 - [0:0]',
        '-A FLOTILLA-VIP-0A320003 -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination 10.50.0.21',
        '-A FLOTILLA-VIP-0A320003 -j DNAT --to-destination 10.50.0.22',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });
});
