import { describe, expect, it } from 'vitest';
import { ingressChain, probability, renderIngress } from './ingress.js';
import { chainNames, renderRules } from './ruleset.js';

const c = chainNames('FLOTILLA');
const input = {
  ports: [
    {
      service: 'web',
      published: 8095,
      target: 80,
      protocol: 'tcp' as const,
      addrs: ['10.240.0.2', '10.240.1.2', '10.240.2.2'],
    },
    { service: 'idle', published: 8096, target: 80, protocol: 'tcp' as const, addrs: [] },
  ],
  localAddrs: ['10.240.0.2', '10.240.0.9'],
  peerSubnets: ['10.240.1.0/24', '10.240.2.0/24'],
  peerAddrs: ['10.96.0.12', '10.96.0.13'],
};

describe('renderIngress', () => {
  it('spreads a port evenly across its addresses, kube-proxy style', () => {
    const out = renderIngress('FLOTILLA', c, input);
    expect(out.chains).toEqual(['FLOTILLA-ING-TCP8095']);
    expect(out.dnat).toEqual([
      '-A FLOTILLA-DNAT -p tcp -m tcp --dport 8095 -m comment --comment "flotilla:ingress:web:8095" -j FLOTILLA-ING-TCP8095',
    ]);
    expect(out.balance.filter((l) => l.startsWith('-A FLOTILLA-ING-TCP8095 '))).toEqual([
      '-A FLOTILLA-ING-TCP8095 -p tcp -m statistic --mode random --probability 0.3333333333 -m comment --comment "flotilla:ingress:web:8095" -j DNAT --to-destination 10.240.0.2:80',
      '-A FLOTILLA-ING-TCP8095 -p tcp -m statistic --mode random --probability 0.5000000000 -m comment --comment "flotilla:ingress:web:8095" -j DNAT --to-destination 10.240.1.2:80',
      '-A FLOTILLA-ING-TCP8095 -p tcp -m comment --comment "flotilla:ingress:web:8095" -j DNAT --to-destination 10.240.2.2:80',
    ]);
  });

  it('sends loopback clients through the same chain, to tasks on other nodes too', () => {
    const remoteOnly = renderIngress('FLOTILLA', c, {
      ...input,
      ports: [{ ...input.ports[0]!, addrs: ['10.240.1.2'] }],
    });
    expect(remoteOnly.chains).toEqual(['FLOTILLA-ING-TCP8095']);
    // No -s 127.0.0.0/8 special case: no RETURN, no refusal in INPUT.
    expect(remoteOnly.dnat).toEqual([
      '-A FLOTILLA-DNAT -p tcp -m tcp --dport 8095 -m comment --comment "flotilla:ingress:web:8095" -j FLOTILLA-ING-TCP8095',
    ]);
    expect(remoteOnly.input).toEqual([]);
    // The remote task's share leaves masqueraded (a 127.0.0.1 source included).
    expect(remoteOnly.postrouting).toEqual([
      '-A FLOTILLA-POSTROUTING -d 10.240.1.2/32 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -m comment --comment "flotilla:ingress:web:8095" -j MASQUERADE',
    ]);
  });

  it('gives each of n addresses 1/n of new connections', () => {
    for (const n of [1, 2, 3, 5]) {
      let left = 1;
      const shares = [];
      for (let i = 0; i < n; i++) {
        const p = i < n - 1 ? Number(probability(i, n)) : 1;
        shares.push(left * p);
        left *= 1 - p;
      }
      for (const s of shares) expect(s).toBeCloseTo(1 / n, 6);
    }
  });

  it('masquerades only traffic sent to other nodes, and lets peers reach local tasks', () => {
    const out = renderIngress('FLOTILLA', c, input);
    expect(out.postrouting).toEqual([
      '-A FLOTILLA-POSTROUTING -d 10.240.1.2/32 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -m comment --comment "flotilla:ingress:web:8095" -j MASQUERADE',
      '-A FLOTILLA-POSTROUTING -d 10.240.2.2/32 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -m comment --comment "flotilla:ingress:web:8095" -j MASQUERADE',
    ]);
    expect(out.forward).toContain(
      '-A FLOTILLA-FORWARD -p tcp -m conntrack --ctstate DNAT --ctorigdstport 8095 -m comment --comment "flotilla:ingress:web:8095" -j ACCEPT',
    );
    expect(out.forward).toContain(
      '-A FLOTILLA-FORWARD -s 10.96.0.13/32 -d 10.240.0.2/32 -p tcp -m tcp --dport 80 -m comment --comment "flotilla:ingress:web:8095" -j ACCEPT',
    );
    expect(out.forward.filter((l) => l.includes('-d 10.240.1.2'))).toEqual([]);
  });

  it("leaves out addresses neither local nor in a peer subnet (another node's stack network)", () => {
    const out = renderIngress('FLOTILLA', c, {
      ...input,
      ports: [{ ...input.ports[0]!, addrs: ['10.241.0.2', '10.240.1.2'] }],
    });
    expect(out.balance.filter((l) => l.startsWith('-A FLOTILLA-ING-TCP8095 '))).toEqual([
      '-A FLOTILLA-ING-TCP8095 -p tcp -m comment --comment "flotilla:ingress:web:8095" -j DNAT --to-destination 10.240.1.2:80',
    ]);
    const none = renderIngress('FLOTILLA', c, {
      ...input,
      ports: [{ ...input.ports[0]!, addrs: ['10.241.0.2'] }],
    });
    expect(none.balance).toEqual([]);
    expect(none.input).toHaveLength(1);
  });

  it('refuses a port without addresses with a TCP reset rather than letting clients hang', () => {
    const out = renderIngress('FLOTILLA', c, input);
    expect(out.input).toEqual([
      '-A FLOTILLA-INPUT -p tcp -m tcp --dport 8096 -m addrtype --dst-type LOCAL -m comment --comment "flotilla:ingress:idle:8096" -j REJECT --reject-with tcp-reset',
    ]);
    expect(out.dnat.some((l) => l.includes('8096'))).toBe(false);
  });

  it('keeps chain names within the 28 characters iptables allows', () => {
    expect(ingressChain('FLOTILLA-ABC', 'udp', 65535).length).toBeLessThanOrEqual(28);
  });
});

describe('renderRules with ingress', () => {
  const state = {
    networks: [{ name: 'bridge', bridge: 'flt0', subnet: '10.240.0.0/24' }],
    ports: [],
    peerSubnets: ['10.240.1.0/24'],
    ingress: input,
  };

  it('declares the per-port chains and deletes chains of ports that are gone', () => {
    const text = renderRules(c, state, ['FLOTILLA-ING-TCP8095', 'FLOTILLA-ING-TCP9999']);
    const lines = text.split('\n');
    expect(lines).toContain(':FLOTILLA-ING-TCP8095 - [0:0]');
    expect(lines).toContain(':FLOTILLA-ING-TCP9999 - [0:0]');
    expect(lines).toContain('-X FLOTILLA-ING-TCP9999');
    expect(lines).not.toContain('-X FLOTILLA-ING-TCP8095');
    // -X after every rule of the table, and before its COMMIT.
    const x = lines.indexOf('-X FLOTILLA-ING-TCP9999');
    expect(lines[x + 1]).toBe('COMMIT');
  });

  it('masquerades mesh traffic before the no-NAT returns between node subnets', () => {
    const lines = renderRules(c, state).split('\n');
    const masq = lines.findIndex((l) => l.includes('-d 10.240.1.2/32') && l.endsWith('MASQUERADE'));
    const ret = lines.findIndex((l) => l.endsWith('-j RETURN'));
    expect(masq).toBeGreaterThan(0);
    expect(masq).toBeLessThan(ret);
  });

  it('accepts mesh traffic before the final drops into bridges', () => {
    const lines = renderRules(c, state).split('\n');
    const accept = lines.findIndex((l) => l.includes('--ctorigdstport 8095'));
    const drop = lines.findIndex(
      (l) => l.startsWith('-A FLOTILLA-FORWARD -o flt0') && l.endsWith('DROP'),
    );
    expect(accept).toBeGreaterThan(0);
    expect(accept).toBeLessThan(drop);
  });
});
