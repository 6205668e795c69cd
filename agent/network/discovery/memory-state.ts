// An in-memory OverlayStateReader fed with the session's OverlayNetworks / OverlayChanges fields
// and local containers' overlay interfaces: what tests and the benchmark give service discovery in
// place of the data plane's state (agent/network/overlay), through the same reader interface.
import type {
  LocalOverlayEndpoint,
  OverlayEndpointInfo,
  OverlayNetworkInfo,
  OverlayServiceInfo,
  OverlayStateChange,
  OverlayStateReader,
} from '../overlay/state.js';

/** Proto-shaped input (OverlayEndpoint / OverlayService / OverlayNetwork / …Change fields). */
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

/** A local container as tests describe it: its namespace path and overlay interfaces in order. */
export interface MemoryContainer {
  containerId: string;
  netnsPath: string;
  interfaces: { networkId: string; address: string }[];
}

interface Entry {
  meta: Omit<OverlayNetworkInfo, 'endpoints' | 'services' | 'keys'>;
  endpoints: Map<string, OverlayEndpointInfo>;
  services: Map<string, OverlayServiceInfo>;
}

const endpointOf = (e: OverlayEndpointMessage): OverlayEndpointInfo => ({
  address: e.address,
  nodeId: e.nodeId ?? '',
  nodeAddr: '',
  taskId: e.taskId ?? '',
  serviceId: e.serviceId ?? '',
  names: e.names ?? [],
  serving: e.serving ?? false,
});

const serviceOf = (s: OverlayServiceMessage): OverlayServiceInfo => ({
  serviceId: s.serviceId,
  name: s.name,
  aliases: s.aliases ?? [],
  endpointMode: s.endpointMode === 'dnsrr' ? 'dnsrr' : 'vip',
  vip: s.endpointMode === 'dnsrr' ? '' : (s.vip ?? ''),
});

const entryOf = (n: OverlayNetworkMessage): Entry => ({
  meta: {
    networkId: n.networkId,
    name: n.name,
    vni: 4096,
    subnet: n.subnet,
    gateway: n.gateway,
    internal: false,
    encrypted: false,
  },
  endpoints: new Map((n.endpoints ?? []).map((e) => [e.address, endpointOf(e)])),
  services: new Map((n.services ?? []).map((s) => [s.serviceId, serviceOf(s)])),
});

export class MemoryOverlayState implements OverlayStateReader {
  private readonly nets = new Map<string, Entry>();
  private readonly containers = new Map<string, MemoryContainer>();
  private readonly listeners = new Set<(c: OverlayStateChange) => void>();

  networks(): OverlayNetworkInfo[] {
    return [...this.nets.keys()].map((id) => this.network(id)!);
  }

  network(networkId: string): OverlayNetworkInfo | undefined {
    const e = this.nets.get(networkId);
    if (!e) return undefined;
    return {
      ...e.meta,
      endpoints: [...e.endpoints.values()],
      services: [...e.services.values()],
      keys: [],
    };
  }

  localEndpoints(networkId: string): LocalOverlayEndpoint[] {
    const out: LocalOverlayEndpoint[] = [];
    for (const c of this.containers.values())
      c.interfaces.forEach((i, k) => {
        if (i.networkId !== networkId) return;
        const netns = c.netnsPath.replace(/^\/run\/netns\//, '');
        out.push({ containerId: c.containerId, netns, ifName: `eth${k + 1}`, address: i.address });
      });
    return out;
  }

  subscribe(listener: (c: OverlayStateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The complete set (OverlayNetworks, after the session is accepted): replaces everything. */
  applyNetworks(networks: OverlayNetworkMessage[]): void {
    const ids = new Set([...this.nets.keys(), ...networks.map((n) => n.networkId)]);
    this.nets.clear();
    for (const n of networks) this.nets.set(n.networkId, entryOf(n));
    this.emit([...ids]);
  }

  /** OverlayChanges: entries set, removed or patched (endpoints by address, services by id). */
  applyChanges(changes: OverlayNetworkChangeMessage[]): void {
    for (const c of changes) {
      if (c.removed) this.nets.delete(c.networkId);
      else if (c.set) this.nets.set(c.networkId, entryOf(c.set));
      else {
        const n = this.nets.get(c.networkId);
        if (!n) continue; // a patch for an entry this node never got: the next full set fixes it
        for (const a of c.removedEndpoints ?? []) n.endpoints.delete(a);
        for (const e of c.upsertEndpoints ?? []) n.endpoints.set(e.address, endpointOf(e));
        for (const id of c.removedServices ?? []) n.services.delete(id);
        for (const s of c.upsertServices ?? []) n.services.set(s.serviceId, serviceOf(s));
      }
    }
    this.emit(changes.map((c) => c.networkId));
  }

  /** A local container attached to overlays (or its interfaces changed). */
  setContainer(c: MemoryContainer): void {
    const before = this.containers.get(c.containerId)?.interfaces ?? [];
    this.containers.set(c.containerId, { ...c, interfaces: [...c.interfaces] });
    this.emit([...before, ...c.interfaces].map((i) => i.networkId));
  }

  removeContainer(containerId: string): void {
    const c = this.containers.get(containerId);
    if (!c) return;
    this.containers.delete(containerId);
    this.emit(c.interfaces.map((i) => i.networkId));
  }

  private emit(networkIds: string[]): void {
    for (const l of this.listeners) l({ networkIds: [...new Set(networkIds)] });
  }
}
