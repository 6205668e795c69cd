// The session's side of the network (NodeNetwork): what the manager decides for this node — its
// subnet from the cluster pool, routes to the other nodes' subnets, and the routing mesh's
// endpoint set, and the overlay networks' descriptions (endpoints, services, keys).
import type { IngressService } from '../../shared/model/index.js';
import type { NetworkCore } from './core.js';
import type { OverlayChangeInfo, OverlayNetworkInfo } from './overlay/state.js';
import { forgetConnectionsTo } from './host/conntrack.js';
import { deleteRoute, replaceRoute } from './host/links.js';
import { enableLoopbackOut } from './host/loopback-out.js';
import { formatSubnet, parseSubnet } from './ipam/cidr.js';
import { assertNodeSubnetFree, splitPeerRoutes } from './subnets.js';
import type { NodeNetwork, PeerRoute } from './types.js';

export class ClusterNetworkState implements NodeNetwork {
  constructor(private readonly core: NetworkCore) {}

  get currentNodeSubnet(): string {
    return this.core.nodeSubnet;
  }

  defaultEndpointCount(): number {
    return this.core.defaultEndpointCount();
  }

  /**
   * Moves the default bridge to `cidr` (the subnet the manager handed out). Refused (false) while
   * containers hold addresses on the current one: they keep working, and the agent reports its
   * subnet to the manager instead. Persisted, so a restart starts on it (preferStoredSubnet).
   * @throws NODE_SUBNET_IN_USE when another interface routes `cidr`
   */
  async setNodeSubnet(cidr: string): Promise<boolean> {
    const { core } = this;
    return core.run(async () => {
      const next = formatSubnet(parseSubnet(cidr));
      if (next === core.nodeSubnet) return true;
      if (core.defaultEndpointCount() > 0) return false;
      const peers = core.state.peerRoutes.map((r) => r.subnet);
      await assertNodeSubnetFree(next, core.bridgeName, peers);
      const bridge = core.defaultNetwork();
      await core.driver(bridge).down(bridge);
      core.nodeSubnet = next;
      core.state.nodeSubnet = next;
      const moved = core.defaultNetwork();
      await core.driver(moved).up(moved);
      await core.save();
      await core.applyRules();
      core.log.info({ subnet: next, bridge: core.bridgeName }, 'node subnet changed');
      return true;
    });
  }

  /**
   * Makes `ip route` hold exactly these routes to other nodes' subnets (idempotent), less any that
   * overlaps this node's own subnet (splitPeerRoutes): logged and left out.
   */
  async setPeerRoutes(routes: PeerRoute[]): Promise<void> {
    const { core } = this;
    await core.run(async () => {
      const { routable: want, overlapping } = splitPeerRoutes(
        core.nodeSubnet,
        routes.map((r) => ({ subnet: formatSubnet(parseSubnet(r.subnet)), via: r.via })),
      );
      for (const r of overlapping)
        core.log.warn(
          { subnet: r.subnet, via: r.via, nodeSubnet: core.nodeSubnet },
          'not routing another node’s subnet that overlaps this node’s own (a node this machine was before it rejoined?)',
        );
      const key = (r: PeerRoute) => `${r.subnet} ${r.via}`;
      const wanted = new Set(want.map(key));
      for (const r of core.state.peerRoutes)
        if (!wanted.has(key(r))) await deleteRoute(r.subnet, r.via);
      for (const r of want) await replaceRoute(r.subnet, r.via);
      core.state.peerRoutes = want;
      await core.save();
      await core.applyRules();
      // After the rules (their raw DROP guards it): 127.0.0.1 clients of the mesh reach peers.
      core.state.loopbackOut = await enableLoopbackOut(
        want.map((r) => r.via),
        core.state.loopbackOut ?? [],
      );
      await core.save();
    });
  }

  /**
   * Makes every ingress port of the cluster answer on this node and spread its connections across
   * `services`' addresses (here or on other nodes; rules/ingress.ts). Persisted, so the mesh keeps
   * working across agent restarts while no manager is reachable. Flows not yet answered by an
   * address that left are forgotten, so a retransmitted SYN meets the new rules; established ones
   * finish (the task is draining).
   */
  async setIngress(services: IngressService[]): Promise<void> {
    const { core } = this;
    await core.run(async () => {
      const before = new Set((core.state.ingress ?? []).flatMap((s) => s.addrs));
      core.state.ingress = services.map((s) => ({
        ...s,
        ports: s.ports.map((p) => ({ ...p })),
        addrs: [...s.addrs],
      }));
      await core.save();
      await core.applyRules();
      const now = new Set(services.flatMap((s) => s.addrs));
      const gone = [...before].filter((a) => !now.has(a));
      for (const a of gone) await forgetConnectionsTo(a, core.log, { unansweredOnly: true });
      core.log.debug(
        { services: services.length, removed: gone.length },
        'ingress endpoints applied',
      );
    });
  }

  /**
   * The complete set of this node's overlay networks: remote entries (and ESP) follow it, and
   * devices of a network no longer listed go unless a container here still uses it.
   */
  async setOverlays(networks: OverlayNetworkInfo[]): Promise<void> {
    const { core } = this;
    await core.run(async () => {
      await core.overlay.replace(networks);
      await core.applyRules();
    });
  }

  /** Changes to the overlay networks, applied incrementally (no entry is rewritten needlessly). */
  async applyOverlayChanges(changes: OverlayChangeInfo[]): Promise<void> {
    await this.core.run(() => this.core.overlay.apply(changes));
  }

  /** The routing mesh's endpoint set in effect (tests, `agent info`). */
  ingressServices(): IngressService[] {
    return structuredClone(this.core.state.ingress ?? []);
  }
}
