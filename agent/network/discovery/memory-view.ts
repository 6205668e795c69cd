// An in-memory OverlayView fed with the session's OverlayNetworks / OverlayChanges messages and the
// local containers' overlay interfaces. Used by tests and the benchmark, and as the reference for
// the data plane's own view: the message shapes below are the generated proto types' fields.
import type {
  LocalOverlayContainer,
  OverlayEndpointView,
  OverlayNetworkView,
  OverlayServiceView,
  OverlayView,
  OverlayViewChange,
} from './view.js';

/** The fields of proto OverlayEndpoint / OverlayService / OverlayNetwork / …Change discovery uses. */
export interface OverlayEndpointMessage {
  address: string;
  nodeId?: string;
  taskId?: string;
  serviceId?: string;
  names?: string[];
  serving?: boolean;
}
export interface OverlayServiceMessage {
  serviceId: string;
  name: string;
  aliases?: string[];
  endpointMode?: string;
  vip?: string;
}
export interface OverlayNetworkMessage {
  networkId: string;
  name: string;
  subnet: string;
  gateway: string;
  endpoints?: OverlayEndpointMessage[];
  services?: OverlayServiceMessage[];
}
export interface OverlayNetworkChangeMessage {
  networkId: string;
  set?: OverlayNetworkMessage | null;
  removed?: boolean;
  upsertEndpoints?: OverlayEndpointMessage[];
  removedEndpoints?: string[];
  upsertServices?: OverlayServiceMessage[];
  removedServices?: string[];
}

interface MutableNetwork extends OverlayNetworkView {
  endpoints: Map<string, OverlayEndpointView>;
  services: Map<string, OverlayServiceView>;
}

const endpointOf = (e: OverlayEndpointMessage): OverlayEndpointView => ({
  address: e.address,
  nodeId: e.nodeId ?? '',
  taskId: e.taskId ?? '',
  serviceId: e.serviceId ?? '',
  names: e.names ?? [],
  serving: e.serving ?? false,
});

const serviceOf = (s: OverlayServiceMessage): OverlayServiceView => ({
  serviceId: s.serviceId,
  name: s.name,
  aliases: s.aliases ?? [],
  endpointMode: s.endpointMode === 'dnsrr' ? 'dnsrr' : 'vip',
  vip: s.endpointMode === 'dnsrr' ? '' : (s.vip ?? ''),
});

export class MemoryOverlayView implements OverlayView {
  private readonly nets = new Map<string, MutableNetwork>();
  private readonly containers = new Map<string, LocalOverlayContainer>();
  private readonly listeners = new Set<(c: OverlayViewChange) => void>();

  networks(): Iterable<OverlayNetworkView> {
    return this.nets.values();
  }

  network(networkId: string): OverlayNetworkView | undefined {
    return this.nets.get(networkId);
  }

  localContainers(): Iterable<LocalOverlayContainer> {
    return this.containers.values();
  }

  localContainer(containerId: string): LocalOverlayContainer | undefined {
    return this.containers.get(containerId);
  }

  onChange(listener: (c: OverlayViewChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The complete set (OverlayNetworks, after the session is accepted): replaces everything. */
  applyNetworks(networks: OverlayNetworkMessage[]): void {
    const ids = new Set([...this.nets.keys(), ...networks.map((n) => n.networkId)]);
    this.nets.clear();
    for (const n of networks) this.nets.set(n.networkId, this.networkOf(n));
    this.emit({ networkIds: [...ids], containerIds: [] });
  }

  /** OverlayChanges: entries set, removed or patched (endpoints by address, services by id). */
  applyChanges(changes: OverlayNetworkChangeMessage[]): void {
    for (const c of changes) {
      if (c.removed) this.nets.delete(c.networkId);
      else if (c.set) this.nets.set(c.networkId, this.networkOf(c.set));
      else {
        const n = this.nets.get(c.networkId);
        if (!n) continue; // a patch for an entry this node never got: the next full set fixes it
        for (const a of c.removedEndpoints ?? []) n.endpoints.delete(a);
        for (const e of c.upsertEndpoints ?? []) n.endpoints.set(e.address, endpointOf(e));
        for (const id of c.removedServices ?? []) n.services.delete(id);
        for (const s of c.upsertServices ?? []) n.services.set(s.serviceId, serviceOf(s));
      }
    }
    this.emit({ networkIds: changes.map((c) => c.networkId), containerIds: [] });
  }

  /** A local container attached to overlays (or its interfaces changed). */
  setContainer(c: LocalOverlayContainer): void {
    this.containers.set(c.containerId, { ...c, interfaces: [...c.interfaces] });
    this.emit({ networkIds: [], containerIds: [c.containerId] });
  }

  removeContainer(containerId: string): void {
    if (this.containers.delete(containerId))
      this.emit({ networkIds: [], containerIds: [containerId] });
  }

  private networkOf(n: OverlayNetworkMessage): MutableNetwork {
    return {
      networkId: n.networkId,
      name: n.name,
      subnet: n.subnet,
      gateway: n.gateway,
      endpoints: new Map((n.endpoints ?? []).map((e) => [e.address, endpointOf(e)])),
      services: new Map((n.services ?? []).map((s) => [s.serviceId, serviceOf(s)])),
    };
  }

  private emit(change: OverlayViewChange): void {
    for (const l of this.listeners) l(change);
  }
}
