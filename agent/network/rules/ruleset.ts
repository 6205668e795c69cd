// Generates the full content of Flotilla's own iptables chains from desired state. The output is
// fed to `iptables-restore --noflush`, which flushes and refills only the chains it declares, so
// every change rewrites our chains atomically and never touches anyone else's.
import type { PortBinding } from '../types.js';
import { renderIngress, type IngressInput } from './ingress.js';

export interface RuleNetwork {
  name: string;
  bridge: string;
  subnet: string;
}

export interface RulePort {
  containerId: string;
  /** Container address the port is forwarded to. */
  ip: string;
  bridge: string;
  binding: PortBinding;
}

export interface RuleState {
  networks: RuleNetwork[];
  ports: RulePort[];
  /** Other nodes' container subnets: routed without NAT and let in to our bridges. */
  peerSubnets: string[];
  /** Bridges of overlay networks: traffic stays inside each (bridged), nothing is routed in or out. */
  overlayBridges?: string[];
  /** The routing mesh (rules/ingress.ts); absent = no ingress ports. */
  ingress?: IngressInput;
}

export interface ChainNames {
  prefix: string;
  dnat: string;
  postrouting: string;
  forward: string;
  raw: string;
  /** filter INPUT: refusals of ingress ports that have no task to go to. */
  input: string;
}

export function chainNames(prefix: string): ChainNames {
  return {
    prefix,
    dnat: `${prefix}-DNAT`,
    postrouting: `${prefix}-POSTROUTING`,
    forward: `${prefix}-FORWARD`,
    raw: `${prefix}-RAW`,
    input: `${prefix}-INPUT`,
  };
}

/** The one jump per built-in chain that sends traffic through ours: [table, chain, rule args]. */
export function jumpRules(c: ChainNames): [string, string, string[]][] {
  const local = ['-m', 'addrtype', '--dst-type', 'LOCAL'];
  return [
    ['nat', 'PREROUTING', [...local, '-j', c.dnat]],
    ['nat', 'OUTPUT', [...local, '-j', c.dnat]],
    ['nat', 'POSTROUTING', ['-j', c.postrouting]],
    ['filter', 'FORWARD', ['-j', c.forward]],
    ['raw', 'PREROUTING', ['-j', c.raw]],
    ['filter', 'INPUT', ['-j', c.input]],
  ];
}

const tag = (what: string) => `-m comment --comment "flotilla:${what}"`;
const short = (id: string) => id.slice(0, 12);

/**
 * The iptables-restore input for our chains. `staleChains` are per-port ingress chains (nat) that
 * exist from an earlier apply and are no longer wanted: they are flushed and deleted.
 */
export function renderRules(c: ChainNames, s: RuleState, staleChains: string[] = []): string {
  const nat: string[] = [];
  const filter: string[] = [];
  // Packets for 127/8 arrive only on lo; anywhere else they are forged. The kernel drops them as
  // martians, except on interfaces with route_localnet: our bridges and the interfaces towards
  // peers (host/loopback-out.ts, so that 127.0.0.1 clients of the mesh reach remote tasks).
  const raw: string[] = [`-A ${c.raw} ! -i lo -d 127.0.0.0/8 ${tag('loopback')} -j DROP`];
  const ing = renderIngress(
    c.prefix,
    c,
    s.ingress ?? { ports: [], localAddrs: [], peerSubnets: [], peerAddrs: [] },
  );
  // Ingress first: its ports are the cluster's, on every node.
  nat.push(...ing.dnat, ...ing.postrouting);

  for (const p of s.ports) {
    const b = p.binding;
    const dst = b.hostIp ? `-d ${b.hostIp}/32 ` : '';
    nat.push(
      `-A ${c.dnat} ${dst}-p ${b.protocol} -m ${b.protocol} --dport ${b.hostPort} ${tag(short(p.containerId))} -j DNAT --to-destination ${p.ip}:${b.containerPort}`,
    );
  }

  for (const n of s.networks) {
    const t = tag(`net:${n.name}`);
    for (const peer of s.peerSubnets)
      nat.push(`-A ${c.postrouting} -s ${n.subnet} -d ${peer} ${t} -j RETURN`);
    // Outbound traffic leaves with the host's address.
    nat.push(`-A ${c.postrouting} -s ${n.subnet} ! -o ${n.bridge} ${t} -j MASQUERADE`);
    // 127.0.0.1 clients DNATed into the bridge need a routable source (with route_localnet).
    nat.push(`-A ${c.postrouting} -s 127.0.0.0/8 -o ${n.bridge} ${t} -j MASQUERADE`);
    // Hairpin: a container reaching a published port that leads back into its own bridge must see
    // replies come from the host, not directly from the peer.
    nat.push(
      `-A ${c.postrouting} -s ${n.subnet} -o ${n.bridge} -m conntrack --ctstate DNAT ${t} -j MASQUERADE`,
    );
    // route_localnet would let containers reach the host's 127.0.0.1 services: refuse that.
    raw.push(`-A ${c.raw} -i ${n.bridge} -d 127.0.0.0/8 ${t} -j DROP`);
    filter.push(
      `-A ${c.forward} -o ${n.bridge} -m conntrack --ctstate RELATED,ESTABLISHED ${t} -j ACCEPT`,
    );
  }
  // Overlays first: a packet may cross an overlay bridge (between a container and the VXLAN
  // device, seen here through br_netfilter) but never be routed into or out of one — else a task
  // could reach another network's tasks through its eth0 and the node, and `internal` would leak.
  const ovl: string[] = [];
  for (const b of s.overlayBridges ?? []) {
    const t = tag(`overlay:${b}`);
    ovl.push(
      `-A ${c.forward} -i ${b} -o ${b} ${t} -j ACCEPT`,
      `-A ${c.forward} -i ${b} ${t} -j DROP`,
      `-A ${c.forward} -o ${b} ${t} -j DROP`,
    );
  }
  filter.unshift(...ovl);
  filter.push(...ing.forward);
  for (const p of s.ports) {
    const b = p.binding;
    filter.push(
      `-A ${c.forward} -d ${p.ip}/32 -o ${p.bridge} -p ${b.protocol} -m ${b.protocol} --dport ${b.containerPort} -m conntrack --ctstate DNAT ${tag(short(p.containerId))} -j ACCEPT`,
    );
  }
  // Isolation: no traffic between two of our networks except through published ports above.
  for (const a of s.networks)
    for (const b of s.networks)
      if (a.bridge !== b.bridge)
        filter.push(
          `-A ${c.forward} -i ${a.bridge} -o ${b.bridge} ${tag(`net:${a.name}`)} -j DROP`,
        );
  for (const n of s.networks) {
    const t = tag(`net:${n.name}`);
    filter.push(`-A ${c.forward} -i ${n.bridge} ${t} -j ACCEPT`);
    for (const peer of s.peerSubnets)
      filter.push(`-A ${c.forward} -s ${peer} -o ${n.bridge} ${t} -j ACCEPT`);
    // Docker may have set FORWARD to DROP, but the host's policy may also be ACCEPT: decide here.
    filter.push(`-A ${c.forward} -o ${n.bridge} ${t} -j DROP`);
  }

  const stale = staleChains.filter((x) => !ing.chains.includes(x));
  return [
    '*raw',
    `:${c.raw} - [0:0]`,
    ...raw,
    'COMMIT',
    '*nat',
    `:${c.dnat} - [0:0]`,
    `:${c.postrouting} - [0:0]`,
    ...ing.chains.map((x) => `:${x} - [0:0]`),
    ...stale.map((x) => `:${x} - [0:0]`),
    ...nat,
    ...ing.balance,
    ...stale.map((x) => `-X ${x}`),
    'COMMIT',
    '*filter',
    `:${c.forward} - [0:0]`,
    `:${c.input} - [0:0]`,
    ...filter,
    ...ing.input,
    'COMMIT',
    '',
  ].join('\n');
}
