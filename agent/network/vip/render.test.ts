import { describe, expect, it } from 'vitest';
import { DiscoveryTable } from '../discovery/index.js';
import { fixtureView, N1 } from '../discovery/fixture-view.js';
import { renderNamespaceRules, renderVipFragment, vipChain } from './render.js';

describe('renderVipFragment', () => {
  const table = new DiscoveryTable(fixtureView());
  const f = renderVipFragment(table.names(N1)!);

  it('spreads each VIP over its serving endpoints with a 1/(n-i) ladder, every port', () => {
    const chain = vipChain('10.50.0.3');
    expect(chain).toBe('FLOTILLA-VIP-0A320003');
    expect(f.natRules).toContain(`-A FLOTILLA-VIP -d 10.50.0.3/32 -j ${chain}`);
    expect(f.natRules.filter((r) => r.startsWith(`-A ${chain} `))).toEqual([
      `-A ${chain} -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination 10.50.0.21`,
      `-A ${chain} -j DNAT --to-destination 10.50.0.22`,
    ]);
  });

  it('leaves out endpoints that do not serve, and dnsrr services altogether', () => {
    expect(f.natRules.join('\n')).not.toContain('10.50.0.23');
    expect(f.natRules.join('\n')).not.toContain('10.50.0.31');
    expect(f.filterRules.join('\n')).not.toContain('10.50.0.31');
  });

  it('refuses every VIP that no DNAT took (no serving task): tcp reset, icmp otherwise', () => {
    expect(f.natChains).not.toContain(vipChain('10.50.0.4'));
    expect(f.filterRules).toContain(
      '-A FLOTILLA-VIP -d 10.50.0.4/32 -p tcp -j REJECT --reject-with tcp-reset',
    );
    expect(f.filterRules).toContain(
      '-A FLOTILLA-VIP -d 10.50.0.4/32 -j REJECT --reject-with icmp-port-unreachable',
    );
  });

  it('renders complete nat and filter tables with the jumps from OUTPUT', () => {
    const text = renderNamespaceRules([f]);
    expect(text.startsWith('*nat\n')).toBe(true);
    expect(text).toContain(':FLOTILLA-VIP-0A320003 - [0:0]');
    expect(text.match(/-A OUTPUT -j FLOTILLA-VIP\n/g)).toHaveLength(2);
    expect(text.match(/^COMMIT$/gm)).toHaveLength(2);
  });
});
