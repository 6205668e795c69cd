// What our chains should hold, derived from the persisted state alone (pure): per-network NAT and
// isolation, published ports of containers whose ports are not withdrawn, peer subnets and the
// routing mesh's endpoint set. ruleset.ts and ingress.ts render it.
import type { NetworkRecord, PersistedState } from '../state.js';
import type { RulePort, RuleState } from './ruleset.js';

/**
 * `networks`: every network with a bridge here, the default one included; `overlays`: the overlay
 * networks with devices here (no NAT: they are closed L2 segments, only bridged inside).
 */
export function desiredRules(
  networks: NetworkRecord[],
  state: PersistedState,
  overlays: NetworkRecord[] = [],
): RuleState {
  const ports: RulePort[] = [];
  for (const e of state.endpoints) {
    if (e.portsWithdrawn) continue;
    const i = e.interfaces.find((x) => x.network === e.portNetwork);
    const net = networks.find((n) => n.name === e.portNetwork);
    if (!i || !net) continue;
    for (const b of e.ports)
      ports.push({ containerId: e.containerId, ip: i.ipv4, bridge: net.bridge, binding: b });
  }
  return {
    networks: networks.map((n) => ({ name: n.name, bridge: n.bridge, subnet: n.subnet })),
    ports,
    peerSubnets: state.peerRoutes.map((r) => r.subnet),
    overlayBridges: overlays.map((n) => n.bridge),
    ingress: {
      ports: (state.ingress ?? []).flatMap((s) =>
        s.ports.map((p) => ({ service: s.name, ...p, addrs: s.addrs })),
      ),
      localAddrs: state.endpoints.flatMap((e) => e.interfaces.map((i) => i.ipv4)),
      peerSubnets: state.peerRoutes.map((r) => r.subnet),
      peerAddrs: [...new Set(state.peerRoutes.map((r) => r.via))],
    },
  };
}
