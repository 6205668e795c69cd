import { describe, expect, it } from 'vitest';
import { chainNames, jumpRules, renderRules } from './ruleset.js';

const c = chainNames('FLOTILLA');
const state = {
  networks: [
    { name: 'bridge', bridge: 'flt0', subnet: '10.240.0.0/24' },
    { name: 'front', bridge: 'fltbr1', subnet: '10.241.0.0/24' },
  ],
  ports: [
    {
      containerId: 'abcdef0123456789',
      ip: '10.240.0.2',
      bridge: 'flt0',
      binding: { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' as const },
    },
  ],
  peerSubnets: ['10.240.1.0/24'],
};

describe('renderRules', () => {
  it('bridges inside an overlay but routes nothing into or out of it, and never NATs it', () => {
    const text = renderRules(c, { ...state, overlayBridges: ['fltov1001'] });
    const forward = text.split('\n').filter((l) => l.startsWith('-A FLOTILLA-FORWARD'));
    expect(forward.slice(0, 3)).toEqual([
      '-A FLOTILLA-FORWARD -i fltov1001 -o fltov1001 -m comment --comment "flotilla:overlay:fltov1001" -j ACCEPT',
      '-A FLOTILLA-FORWARD -i fltov1001 -m comment --comment "flotilla:overlay:fltov1001" -j DROP',
      '-A FLOTILLA-FORWARD -o fltov1001 -m comment --comment "flotilla:overlay:fltov1001" -j DROP',
    ]);
    expect(
      text.split('\n').filter((l) => l.includes('fltov1001') && l.includes('MASQUERADE')),
    ).toEqual([]);
  });

  it('declares only our chains, so iptables-restore --noflush rewrites nothing else', () => {
    const text = renderRules(c, state);
    const declared = text.split('\n').filter((l) => l.startsWith(':'));
    expect(declared).toEqual([
      ':FLOTILLA-RAW - [0:0]',
      ':FLOTILLA-DNAT - [0:0]',
      ':FLOTILLA-POSTROUTING - [0:0]',
      ':FLOTILLA-FORWARD - [0:0]',
      ':FLOTILLA-INPUT - [0:0]',
    ]);
    for (const l of text.split('\n').filter((x) => x.startsWith('-A ')))
      expect(l).toMatch(/^-A FLOTILLA-(RAW|DNAT|POSTROUTING|FORWARD|INPUT) .*--comment "flotilla:/);
  });

  it('drops 127/8 arriving on any interface but lo first (route_localnet is on for some)', () => {
    const raw = renderRules(c, state)
      .split('\n')
      .filter((l) => l.startsWith('-A FLOTILLA-RAW'));
    expect(raw[0]).toBe(
      '-A FLOTILLA-RAW ! -i lo -d 127.0.0.0/8 -m comment --comment "flotilla:loopback" -j DROP',
    );
  });

  it('DNATs a binding tagged with the container id and accepts only DNATed traffic to it', () => {
    const text = renderRules(c, state);
    expect(text).toContain(
      '-A FLOTILLA-DNAT -d 127.0.0.1/32 -p tcp -m tcp --dport 8080 -m comment --comment "flotilla:abcdef012345" -j DNAT --to-destination 10.240.0.2:80',
    );
    expect(text).toContain(
      '-A FLOTILLA-FORWARD -d 10.240.0.2/32 -o flt0 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT',
    );
  });

  it('isolates networks from each other and drops unsolicited traffic into bridges last', () => {
    const lines = renderRules(c, state).split('\n');
    const drop = lines.findIndex((l) => l.includes('-i flt0 -o fltbr1') && l.endsWith('-j DROP'));
    const accept = lines.findIndex(
      (l) => l.startsWith('-A FLOTILLA-FORWARD -i flt0 ') && l.endsWith('ACCEPT'),
    );
    expect(drop).toBeGreaterThan(0);
    expect(drop).toBeLessThan(accept);
    expect(lines.filter((l) => l.startsWith('-A FLOTILLA-FORWARD')).at(-1)).toMatch(
      /-o fltbr1 .*-j DROP$/,
    );
    expect(lines).toContain(
      '-A FLOTILLA-POSTROUTING -s 10.240.0.0/24 -d 10.240.1.0/24 -m comment --comment "flotilla:net:bridge" -j RETURN',
    );
  });

  it('jumps from PREROUTING and OUTPUT for local destinations only', () => {
    expect(jumpRules(c).map(([t, ch, a]) => `${t} ${ch} ${a.join(' ')}`)).toEqual([
      'nat PREROUTING -m addrtype --dst-type LOCAL -j FLOTILLA-DNAT',
      'nat OUTPUT -m addrtype --dst-type LOCAL -j FLOTILLA-DNAT',
      'nat POSTROUTING -j FLOTILLA-POSTROUTING',
      'filter FORWARD -j FLOTILLA-FORWARD',
      'raw PREROUTING -j FLOTILLA-RAW',
      'filter INPUT -j FLOTILLA-INPUT',
    ]);
  });
});
