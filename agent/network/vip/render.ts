// Renders a container namespace's VIP rules: every port of each VIP of the networks the container
// is on is DNATed, in the container's own nat OUTPUT, to one of the service's serving endpoints
// (a `-m statistic` ladder: rule i of n matches with probability 1/(n-i), so each gets 1/n), and a
// VIP with nothing serving is refused in filter OUTPUT (TCP reset, ICMP unreachable) instead of
// hanging. Pure: vip/namespace-rules.ts applies the text with iptables-restore.
import type { NetworkNames } from '../discovery/index.js';
import { probability } from '../rules/ingress.js';

/** One network's share of a namespace's rules; the same for every container on that network. */
export interface VipFragment {
  natChains: string[];
  natRules: string[];
  filterRules: string[];
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
  const out: VipFragment = { natChains: [], natRules: [], filterRules: [] };
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
    out.natChains.push(chain);
    out.natRules.push(`-A ${VIP_CHAIN} -d ${s.vip}/32 -j ${chain}`);
    backends.forEach((addr, i) => {
      const spread =
        i < backends.length - 1
          ? `-m statistic --mode random --probability ${probability(i, backends.length)} `
          : '';
      out.natRules.push(`-A ${chain} ${spread}-j DNAT --to-destination ${addr}`);
    });
  }
  return out;
}

/**
 * The complete nat and filter tables of a container's namespace (iptables-restore input, without
 * --noflush: the agent owns these tables there; nothing else writes them).
 */
export function renderNamespaceRules(fragments: VipFragment[]): string {
  const natChains = fragments.flatMap((f) => f.natChains);
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    `:${VIP_CHAIN} - [0:0]`,
    ...natChains.map((c) => `:${c} - [0:0]`),
    `-A OUTPUT -j ${VIP_CHAIN}`,
    ...fragments.flatMap((f) => f.natRules),
    'COMMIT',
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    `:${VIP_CHAIN} - [0:0]`,
    `-A OUTPUT -j ${VIP_CHAIN}`,
    ...fragments.flatMap((f) => f.filterRules),
    'COMMIT',
    '',
  ].join('\n');
}
