// Indexes of the overlay view that DNS and VIP rules read on every query and every rewrite: per
// network, names → service, service → serving addresses, endpoint names → addresses; and which
// local container a source address on a network is. Rebuilt lazily, per network, after a change.
import type {
  LocalOverlayContainer,
  OverlayServiceView,
  OverlayView,
  OverlayViewChange,
} from './view.js';

export interface NetworkNames {
  networkId: string;
  /** Lower-case service names and aliases → the service. */
  services: Map<string, OverlayServiceView>;
  /** Service id → its serving endpoints' addresses, sorted. */
  serving: Map<string, string[]>;
  /** Lower-case endpoint names (task and container names) → serving addresses. */
  endpointNames: Map<string, string[]>;
  /** Every name the network knows, serving or not, with `tasks.` forms: never forwarded. */
  known: Set<string>;
}

export const lower = (s: string): string => s.toLowerCase().replace(/\.$/, '');

function index(view: OverlayView, networkId: string): NetworkNames | undefined {
  const n = view.network(networkId);
  if (!n) return undefined;
  const out: NetworkNames = {
    networkId,
    services: new Map(),
    serving: new Map(),
    endpointNames: new Map(),
    known: new Set(),
  };
  for (const s of n.services.values()) {
    out.serving.set(s.serviceId, []);
    for (const name of [s.name, ...s.aliases].map(lower)) {
      // Two services claiming one alias: the first (by id order of arrival) keeps it, as Docker's
      // resolver answers from the first record it holds.
      if (!out.services.has(name)) out.services.set(name, s);
      out.known.add(name).add(`tasks.${name}`);
    }
  }
  for (const e of n.endpoints.values()) {
    for (const name of e.names.map(lower)) {
      out.known.add(name);
      if (!e.serving) continue;
      const list = out.endpointNames.get(name);
      if (list) list.push(e.address);
      else out.endpointNames.set(name, [e.address]);
    }
    if (e.serving) out.serving.get(e.serviceId)?.push(e.address);
  }
  for (const list of out.serving.values()) list.sort(byAddress);
  return out;
}

/** Numeric IPv4 order, so rules and answers are stable whatever order endpoints arrived in. */
export function byAddress(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

export class DiscoveryTable {
  private readonly cache = new Map<string, NetworkNames | undefined>();
  private callers?: Map<string, LocalOverlayContainer>;
  private readonly listeners = new Set<(c: OverlayViewChange) => void>();
  private readonly unsubscribe: () => void;

  constructor(readonly view: OverlayView) {
    this.unsubscribe = view.onChange((c) => {
      for (const id of c.networkIds) this.cache.delete(id);
      if (c.containerIds.length) this.callers = undefined;
      for (const l of this.listeners) l(c);
    });
  }

  /** Called after the table has dropped what the change made stale. */
  onChange(listener: (c: OverlayViewChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  names(networkId: string): NetworkNames | undefined {
    if (!this.cache.has(networkId)) this.cache.set(networkId, index(this.view, networkId));
    return this.cache.get(networkId);
  }

  /** The local container whose interface on `networkId` has `address`. */
  caller(networkId: string, address: string): LocalOverlayContainer | undefined {
    if (!this.callers) {
      this.callers = new Map();
      for (const c of this.view.localContainers())
        for (const i of c.interfaces) this.callers.set(`${i.networkId}/${i.address}`, c);
    }
    return this.callers.get(`${networkId}/${address}`);
  }

  /** Whether any network on this node knows `name` (a cluster name: answered or refused, never forwarded). */
  knownAnywhere(name: string): boolean {
    for (const n of this.view.networks()) if (this.names(n.networkId)?.known.has(name)) return true;
    return false;
  }
}
