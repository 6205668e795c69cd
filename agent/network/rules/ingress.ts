// Renders the routing mesh (ingress published ports) the way kube-proxy's iptables mode does:
// every local destination's published port jumps to one chain per port, which spreads new
// connections across the service's task addresses with `-m statistic --mode random` (rule i of n
// matches with probability 1/(n-i), so each address gets 1/n) and DNATs to address:target. Traffic
// DNATed to another node's task is masqueraded so its replies come back through this node, which
// undoes the translation. A port without addresses refuses (REJECT with tcp-reset) instead of
// leaving clients to time out. Pure: the caller applies the lines (rules/iptables.ts).
import { contains, ipToInt, parseSubnet } from '../ipam/cidr.js';

export interface RuleIngressPort {
  /** Service name (rule comments). */
  service: string;
  published: number;
  target: number;
  protocol: 'tcp' | 'udp';
  /** Task addresses, on this node or others. Empty = refuse. */
  addrs: string[];
}

export interface IngressInput {
  ports: RuleIngressPort[];
  /** Addresses of this node's containers: local tasks (no masquerade needed). */
  localAddrs: string[];
  /**
   * Other nodes' container subnets (routed here): a task address elsewhere is reachable only in
   * one of them. A task on another node's node-local network (a stack network, whose subnet may
   * even repeat one of ours) is not, and is left out on this node.
   */
  peerSubnets: string[];
  /** Other nodes' addresses: they forward (masqueraded) mesh traffic to our local tasks. */
  peerAddrs: string[];
}

export interface IngressLines {
  /** Per-port chains (nat), declared by the caller. */
  chains: string[];
  /** At the top of the DNAT chain: the jumps into per-port chains. */
  dnat: string[];
  /** The per-port chains' rules. */
  balance: string[];
  /** At the top of POSTROUTING (before the no-NAT RETURNs between node subnets). */
  postrouting: string[];
  /** In FORWARD before isolation and the final drops. */
  forward: string[];
  /** filter INPUT (our chain): refusals for ports with no address. */
  input: string[];
}

/**
 * `<prefix>-ING-TCP8095`: at most 25 characters with a hashed prefix (iptables allows 28). (An
 * earlier `-ING-L-` chain for loopback clients, local tasks only, is deleted as stale.)
 */
export function ingressChain(prefix: string, protocol: string, published: number): string {
  return `${prefix}-ING-${protocol.toUpperCase()}${published}`;
}

const tag = (what: string) => `-m comment --comment "flotilla:ingress:${what}"`;

/** Probability for rule i of n, as kube-proxy writes it (fixed decimals, stable text). */
export function probability(i: number, n: number): string {
  return (1 / (n - i)).toFixed(10);
}

export function renderIngress(
  prefix: string,
  c: { dnat: string; postrouting: string; forward: string; input: string },
  s: IngressInput,
): IngressLines {
  const out: IngressLines = {
    chains: [],
    dnat: [],
    balance: [],
    postrouting: [],
    forward: [],
    input: [],
  };
  const local = new Set(s.localAddrs);
  const peers = s.peerSubnets.map((x) => parseSubnet(x));
  const isLocal = (ip: string) => local.has(ip);
  const reachable = (ip: string) => {
    const n = ipToInt(ip);
    return local.has(ip) || (n !== undefined && peers.some((sub) => contains(sub, n)));
  };
  const seen = new Set<string>();
  for (const p of s.ports) {
    const key = `${p.protocol}/${p.published}`;
    // Unique cluster-wide by the manager's check; the first service wins if state ever disagrees.
    if (seen.has(key)) continue;
    seen.add(key);
    const m = `-p ${p.protocol} -m ${p.protocol}`;
    const t = tag(`${p.service}:${p.published}`);
    const addrs = p.addrs.filter(reachable);
    if (addrs.length === 0) {
      const reject = p.protocol === 'tcp' ? 'tcp-reset' : 'icmp-port-unreachable';
      out.input.push(
        `-A ${c.input} ${m} --dport ${p.published} -m addrtype --dst-type LOCAL ${t} -j REJECT --reject-with ${reject}`,
      );
      continue;
    }
    const spreadOver = (chain: string, over: string[]) => {
      out.chains.push(chain);
      over.forEach((addr, i) => {
        const spread =
          i < over.length - 1
            ? `-m statistic --mode random --probability ${probability(i, over.length)} `
            : '';
        out.balance.push(
          `-A ${chain} -p ${p.protocol} ${spread}${t} -j DNAT --to-destination ${addr}:${p.target}`,
        );
      });
    };
    // Clients on the node's loopback take the same chain: to a local task the 127/8 masquerade
    // into our bridges applies, to another node's the MASQUERADE below (route_localnet on the
    // interface towards the peers lets the kernel route them: host/loopback-out.ts).
    const chain = ingressChain(prefix, p.protocol, p.published);
    out.dnat.push(`-A ${c.dnat} ${m} --dport ${p.published} ${t} -j ${chain}`);
    spreadOver(chain, addrs);
    // Both directions of the flows translated here (original and reply), whatever the host's
    // FORWARD policy is: to a local bridge or out to another node.
    out.forward.push(
      `-A ${c.forward} -p ${p.protocol} -m conntrack --ctstate DNAT --ctorigdstport ${p.published} ${t} -j ACCEPT`,
    );
    for (const addr of addrs) {
      if (isLocal(addr)) {
        // Another node's share of this port, masqueraded to that node's address.
        for (const peer of s.peerAddrs)
          out.forward.push(
            `-A ${c.forward} -s ${peer}/32 -d ${addr}/32 ${m} --dport ${p.target} ${t} -j ACCEPT`,
          );
      } else {
        out.postrouting.push(
          `-A ${c.postrouting} -d ${addr}/32 ${m} --dport ${p.target} -m conntrack --ctstate DNAT ${t} -j MASQUERADE`,
        );
      }
    }
  }
  return out;
}
