// Adapts the data plane's OverlayStateReader (agent/network/overlay/state.ts) to the OverlayView
// discovery reads: networks as maps, local containers grouped from the per-network endpoint lists
// (interfaces in ifName order), changes naming the containers that came, went or changed. The
// reader returns copies, so each network is converted once per change, not once per query.
import type { LocalOverlayEndpoint, OverlayStateReader } from '../overlay/state.js';
import type {
  LocalOverlayContainer,
  OverlayNetworkView,
  OverlayView,
  OverlayViewChange,
} from './view.js';

const ifIndex = (e: LocalOverlayEndpoint) => Number(/(\d+)$/.exec(e.ifName)?.[1] ?? 0);
const containerKey = (c: LocalOverlayContainer) =>
  `${c.netnsPath}|${c.interfaces.map((i) => `${i.networkId}/${i.address}`).join(',')}`;

export class ReaderOverlayView implements OverlayView {
  private ids?: string[];
  private readonly nets = new Map<string, OverlayNetworkView | undefined>();
  private containers?: Map<string, LocalOverlayContainer>;
  private readonly listeners = new Set<(c: OverlayViewChange) => void>();
  private readonly unsubscribe: () => void;

  constructor(private readonly reader: OverlayStateReader) {
    this.unsubscribe = reader.subscribe((c) => this.changed(c.networkIds));
    this.containerMap(); // the "before" of the first change
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  networks(): Iterable<OverlayNetworkView> {
    this.ids ??= this.reader.networks().map((n) => n.networkId);
    return this.ids.map((id) => this.network(id)).filter((n): n is OverlayNetworkView => !!n);
  }

  network(networkId: string): OverlayNetworkView | undefined {
    if (!this.nets.has(networkId)) {
      const n = this.reader.network(networkId);
      this.nets.set(
        networkId,
        n && {
          networkId: n.networkId,
          name: n.name,
          subnet: n.subnet,
          gateway: n.gateway,
          endpoints: new Map(n.endpoints.map((e) => [e.address, e])),
          services: new Map(n.services.map((s) => [s.serviceId, s])),
        },
      );
    }
    return this.nets.get(networkId);
  }

  localContainers(): Iterable<LocalOverlayContainer> {
    return this.containerMap().values();
  }

  localContainer(containerId: string): LocalOverlayContainer | undefined {
    return this.containerMap().get(containerId);
  }

  onChange(listener: (c: OverlayViewChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private containerMap(): Map<string, LocalOverlayContainer> {
    if (this.containers) return this.containers;
    const found = new Map<string, { netns: string; eps: [LocalOverlayEndpoint, string][] }>();
    for (const id of this.ids ?? this.reader.networks().map((n) => n.networkId))
      for (const e of this.reader.localEndpoints(id)) {
        const c = found.get(e.containerId) ?? { netns: e.netns, eps: [] };
        c.eps.push([e, id]);
        found.set(e.containerId, c);
      }
    this.containers = new Map();
    for (const [containerId, c] of found) {
      c.eps.sort((a, b) => ifIndex(a[0]) - ifIndex(b[0]));
      this.containers.set(containerId, {
        containerId,
        // A name under /run/netns (ip netns), or already a path.
        netnsPath: c.netns.startsWith('/') ? c.netns : `/run/netns/${c.netns}`,
        interfaces: c.eps.map(([e, networkId]) => ({ networkId, address: e.address })),
      });
    }
    return this.containers;
  }

  private changed(networkIds: string[]): void {
    const before = this.containers ?? new Map<string, LocalOverlayContainer>();
    this.ids = undefined;
    for (const id of networkIds) this.nets.delete(id);
    this.containers = undefined;
    const after = this.containerMap();
    const containerIds = [...new Set([...before.keys(), ...after.keys()])].filter((id) => {
      const [a, b] = [before.get(id), after.get(id)];
      return !a || !b || containerKey(a) !== containerKey(b);
    });
    for (const l of this.listeners) l({ networkIds, containerIds });
  }
}
