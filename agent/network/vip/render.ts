// Renders a container namespace's VIP rules: every port of each VIP of the networks the container
// is on is DNATed, in the container's own nat OUTPUT, to one of the service's serving endpoints
// (a `-m statistic` ladder: rule i of n matches with probability 1/(n-i), so each gets 1/n), and a
// VIP with nothing serving is refused in filter OUTPUT (TCP reset, ICMP unreachable) instead of
// hanging. Pure: vip/namespace-rules.ts applies the text with iptables-restore.
import type { NetworkNames } from '../discovery/index.js';
import { probability } from '../rules/ingress.js';

/** One network's share of a namespace's rules; the same for every container on that network. */
export interface VipFragment {
  /** nat `FLOTILLA-VIP` rules: each VIP with a serving endpoint jumps to its own chain. */
  jumps: string[];
  /** Per-VIP chain → its DNAT ladder (rule lines joined: shared by every namespace as is). */
  chains: Map<string, string>;
  /** filter `FLOTILLA-VIP` rules: refusals for VIPs that no DNAT took. */
  filterRules: string[];
}

/** A namespace's rules: the skeleton (jumps, chain set, refusals) and each VIP chain's body. */
export interface NamespaceRules {
  skeleton: string;
  chains: Map<string, string>;
}

export const VIP_CHAIN = 'FLOTILLA-VIP';

/** `FLOTILLA-VIP-0A000102`: one chain per VIP, named by its address (unique in the namespace). */
export function vipChain(vip: string): string {
  const hex = vip
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join('');
  return `${VIP_CHAIN}-${hex.toUpperCase()}`;
}

export function renderVipFragment(n: NetworkNames): VipFragment {
  const out: VipFragment = { jumps: [], chains: new Map(), filterRules: [] };
  const seen = new Set<string>();
  for (const s of n.services.values()) {
    if (s.endpointMode !== 'vip' || !s.vip || seen.has(s.serviceId)) continue;
    seen.add(s.serviceId);
    const backends = n.serving.get(s.serviceId) ?? [];
    // Reached only when no DNAT happened (OUTPUT: nat before filter): nothing serves the VIP.
    out.filterRules.push(
      `-A ${VIP_CHAIN} -d ${s.vip}/32 -p tcp -j REJECT --reject-with tcp-reset`,
      `-A ${VIP_CHAIN} -d ${s.vip}/32 -j REJECT --reject-with icmp-port-unreachable`,
    );
    if (!backends.length) continue;
    const chain = vipChain(s.vip);
    out.jumps.push(`-A ${VIP_CHAIN} -d ${s.vip}/32 -j ${chain}`);
    out.chains.set(
      chain,
      backends
        .map((addr, i) => {
          const spread =
            i < backends.length - 1
              ? `-m statistic --mode random --probability ${probability(i, backends.length)} `
              : '';
          return `-A ${chain} ${spread}-j DNAT --to-destination ${addr}`;
        })
        .join('\n'),
    );
  }
  return out;
}

export function namespaceRules(fragments: VipFragment[]): NamespaceRules {
  const chains = new Map<string, string>();
  for (const f of fragments) for (const [c, body] of f.chains) chains.set(c, body);
  const skeleton = [
    ...[...chains.keys()].map((c) => `:${c} - [0:0]`),
    ...fragments.flatMap((f) => f.jumps),
    '*filter',
    ...fragments.flatMap((f) => f.filterRules),
  ].join('\n');
  return { skeleton, chains };
}

/**
 * The complete nat and filter tables of a container's namespace (iptables-restore input, without
 * --noflush: the agent owns these tables there; nothing else writes them).
 */
export function renderNamespaceRules(r: NamespaceRules): string {
  const [natPart, filterPart] = r.skeleton.split('*filter');
  const natLines = natPart.split('\n').filter(Boolean);
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    `:${VIP_CHAIN} - [0:0]`,
    ...natLines.filter((l) => l.startsWith(':')),
    `-A OUTPUT -j ${VIP_CHAIN}`,
    ...natLines.filter((l) => l.startsWith('-A')),
    ...r.chains.values(),
    'COMMIT',
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    `:${VIP_CHAIN} - [0:0]`,
    `-A OUTPUT -j ${VIP_CHAIN}`,
    ...filterPart.split('\n').filter(Boolean),
    'COMMIT',
    '',
  ].join('\n');
}

/**
 * Only the listed VIP chains, flushed and refilled (input for iptables-restore --noflush): when the
 * skeleton is unchanged, a serving-set change costs O(that service's endpoints) in the kernel,
 * not O(every endpoint of the namespace's networks).
 */
export function renderChainUpdate(r: NamespaceRules, changed: string[]): string {
  return [
    '*nat',
    ...changed.flatMap((c) => [`:${c} - [0:0]`, r.chains.get(c)!]),
    'COMMIT',
    '',
  ].join('\n');
}
