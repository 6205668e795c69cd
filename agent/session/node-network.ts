// Applies what the manager says about cluster networking to this agent's network component: the
// node's own subnet (from the cluster pool) and routes to every other node's subnet via its
// address. Applies are serialised and only the latest wanted state matters.
//
// Subnet rule (docs/design/dispatcher.md): an explicit --node-subnet, or the subnet that running
// containers on the default bridge already use, is *requested* on session open; the manager
// records it unless another node has it. Otherwise the agent moves its (empty) bridge to the
// subnet the manager hands out. A bridge with containers on it is never renumbered: they keep
// working and the mismatch is logged.
import type { Logger } from '../../shared/log/index.js';
import { IngressSet, type IngressChange, type IngressService } from '../../shared/model/index.js';
import type { NodeNetwork, OverlayChangeInfo, OverlayNetworkInfo } from '../network/index.js';

/** The network component's cluster-state role (agent/network/cluster-state.ts). */
export type { NodeNetwork };

export interface PeerRouteInfo {
  nodeId: string;
  subnet: string;
  via: string;
}

export class NodeNetworkSync {
  private chain: Promise<void> = Promise.resolve();
  /** The last peer set and own subnet the manager sent (for tests and `agent info`). */
  peers: PeerRouteInfo[] = [];
  nodeSubnet = '';
  /** The routing-mesh endpoint set as the manager's messages left it. */
  private readonly ingressSet = new IngressSet();
  /** An ingress apply is queued and not started yet (it will take `ingress` as it is then). */
  private ingressQueued = false;

  constructor(
    private readonly deps: {
      network?: NodeNetwork;
      /** --node-subnet as given; empty when the agent runs on the default. */
      explicitSubnet?: string;
      log: Logger;
    },
  ) {}

  /** What to ask the manager for in SessionOpen (empty: hand me one). */
  requestedSubnet(): string {
    const n = this.deps.network;
    if (this.deps.explicitSubnet) return this.deps.explicitSubnet;
    if (n && n.defaultEndpointCount() > 0) return n.currentNodeSubnet;
    return '';
  }

  apply(nodeSubnet: string | undefined, peers?: PeerRouteInfo[]): Promise<void> {
    if (nodeSubnet) this.nodeSubnet = nodeSubnet;
    if (peers) this.peers = peers;
    const n = this.deps.network;
    if (!n) return Promise.resolve();
    const subnet = this.nodeSubnet;
    const routes = this.peers.map((p) => ({ subnet: p.subnet, via: p.via }));
    this.chain = this.chain
      .then(async () => {
        if (subnet && subnet !== n.currentNodeSubnet) {
          if (this.deps.explicitSubnet && this.deps.explicitSubnet !== subnet)
            this.deps.log.warn(
              { requested: this.deps.explicitSubnet, subnet },
              'the manager refused --node-subnet (another node has it); keeping it locally',
            );
          else if (!(await n.setNodeSubnet(subnet)))
            this.deps.log.warn(
              { current: n.currentNodeSubnet, subnet },
              'containers run on the current node subnet; not renumbering it',
            );
        }
        if (peers) await n.setPeerRoutes(routes);
      })
      .catch((err) => this.deps.log.warn({ err }, 'applying cluster networking failed'));
    return this.chain;
  }

  /** The routing-mesh endpoint set as the manager's messages left it. */
  get ingress(): IngressService[] {
    return this.ingressSet.list();
  }

  /** The complete endpoint set (sent when the session opens). */
  applyIngress(services: IngressService[]): Promise<void> {
    this.ingressSet.replace(services);
    return this.scheduleIngress();
  }

  /** Changes to the endpoint set last received. */
  applyIngressChanges(changes: IngressChange[]): Promise<void> {
    this.ingressSet.apply(changes);
    return this.scheduleIngress();
  }

  /**
   * The complete set of this node's overlay networks (after accepted). Overlay messages are
   * applied one by one in arrival order, never coalesced: each is a diff of the one before.
   */
  applyOverlays(networks: OverlayNetworkInfo[]): Promise<void> {
    const n = this.deps.network;
    if (!n?.setOverlays) return Promise.resolve();
    return this.enqueue(() => n.setOverlays!(networks), 'applying overlay networks failed');
  }

  applyOverlayChanges(changes: OverlayChangeInfo[]): Promise<void> {
    const n = this.deps.network;
    if (!n?.applyOverlayChanges) return Promise.resolve();
    return this.enqueue(() => n.applyOverlayChanges!(changes), 'applying overlay changes failed');
  }

  private enqueue(fn: () => Promise<void>, failure: string): Promise<void> {
    this.chain = this.chain.then(fn).catch((err) => this.deps.log.warn({ err }, failure));
    return this.chain;
  }

  /**
   * Applies the endpoint set after any subnet or route change in flight. Changes that arrive while
   * an apply runs are coalesced: the next apply takes the set as it is then (each apply rewrites
   * every rule, so the ones in between would be wasted work).
   */
  private scheduleIngress(): Promise<void> {
    const n = this.deps.network;
    if (!n?.setIngress) return Promise.resolve();
    if (this.ingressQueued) return this.chain;
    this.ingressQueued = true;
    this.chain = this.chain
      .then(() => {
        this.ingressQueued = false;
        return n.setIngress!(this.ingress);
      })
      .catch((err) => this.deps.log.warn({ err }, 'applying ingress endpoints failed'));
    return this.chain;
  }
}
