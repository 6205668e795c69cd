// What a node holds of each cluster network it takes part in (endpoints on every node, services,
// keys) and the changes between two such sets. The manager computes both; the agent applies the
// changes with OverlaySet. Field names match the proto's (OverlayNetwork…__Output), so a decoded
// message can be passed in as it is.

export interface OverlayEndpoint {
  /** Plain IPv4 in the network's subnet: the endpoint's identity on the network. */
  address: string;
  nodeId: string;
  /** The node's underlay address (VXLAN tunnel destination). */
  nodeAddr: string;
  /** Empty for a standalone attached container. */
  taskId: string;
  serviceId: string;
  /** DNS names of the endpoint itself (task name `web.1.<task id>`, container name). */
  names: string[];
  /** Desired running, running, and healthy where it has a healthcheck: DNS and VIPs use only these. */
  serving: boolean;
}

export interface OverlayService {
  serviceId: string;
  /** Full name (`s_back`). */
  name: string;
  /** Other names on this network (`back` in a stack, compose aliases), sorted. */
  aliases: string[];
  /** 'vip' | 'dnsrr' */
  endpointMode: string;
  /** Virtual address on this network; empty for dnsrr. */
  vip: string;
}

export interface OverlayKey {
  /** rfc4106(gcm(aes)) keying material: 16 bytes of key and 4 of salt. */
  key: Uint8Array;
  spi: number;
  /** Increases with every rotation. */
  generation: number;
}

export interface OverlayNetworkState {
  networkId: string;
  name: string;
  vni: number;
  subnet: string;
  gateway: string;
  internal: boolean;
  encrypted: boolean;
  /** Sorted by address. */
  endpoints: OverlayEndpoint[];
  /** Sorted by name. */
  services: OverlayService[];
  /** Oldest first: a node accepts each and sends with the newest. */
  keys: OverlayKey[];
}

/**
 * One network's change: `set` (the complete entry: new to the node, or its identity changed),
 * `removed` (the node left it), or else the endpoints and services that changed and — only when
 * the keys changed — the complete key list (an empty list means "unchanged").
 */
export interface OverlayNetworkChange {
  networkId: string;
  set?: OverlayNetworkState | null;
  removed?: boolean;
  upsertEndpoints?: OverlayEndpoint[];
  removedEndpoints?: string[];
  upsertServices?: OverlayService[];
  removedServices?: string[];
  keys?: OverlayKey[];
}

const metaKey = (n: OverlayNetworkState) =>
  JSON.stringify([n.name, n.vni, n.subnet, n.gateway, n.internal, n.encrypted]);
const endpointKey = (e: OverlayEndpoint) =>
  JSON.stringify([e.nodeId, e.nodeAddr, e.taskId, e.serviceId, e.names, e.serving]);
const serviceKey = (s: OverlayService) =>
  JSON.stringify([s.name, s.aliases, s.endpointMode, s.vip]);
const keysKey = (keys: readonly OverlayKey[]) =>
  keys.map((k) => `${k.spi}:${k.generation}:${Buffer.from(k.key).toString('hex')}`).join(',');

/** What turns one network's `before` into `after`; undefined when nothing changed. */
export function diffOverlayNetwork(
  before: OverlayNetworkState,
  after: OverlayNetworkState,
): OverlayNetworkChange | undefined {
  if (metaKey(before) !== metaKey(after)) return { networkId: after.networkId, set: after };
  const change: OverlayNetworkChange = { networkId: after.networkId };
  const oldEndpoints = new Map(before.endpoints.map((e) => [e.address, endpointKey(e)]));
  const upsertEndpoints = after.endpoints.filter((e) => {
    const prev = oldEndpoints.get(e.address);
    oldEndpoints.delete(e.address);
    return prev !== endpointKey(e);
  });
  const oldServices = new Map(before.services.map((s) => [s.serviceId, serviceKey(s)]));
  const upsertServices = after.services.filter((s) => {
    const prev = oldServices.get(s.serviceId);
    oldServices.delete(s.serviceId);
    return prev !== serviceKey(s);
  });
  let changed: boolean;
  if (upsertEndpoints.length > 0) change.upsertEndpoints = upsertEndpoints;
  if (oldEndpoints.size > 0) change.removedEndpoints = [...oldEndpoints.keys()];
  if (upsertServices.length > 0) change.upsertServices = upsertServices;
  if (oldServices.size > 0) change.removedServices = [...oldServices.keys()];
  changed = Object.keys(change).length > 1;
  if (keysKey(before.keys) !== keysKey(after.keys)) {
    // An empty list reads as "unchanged" on the wire: losing every key means a new entry.
    if (after.keys.length === 0) return { networkId: after.networkId, set: after };
    change.keys = after.keys;
    changed = true;
  }
  return changed ? change : undefined;
}

/** What turns the set `before` into `after` (networks matched by id). */
export function diffOverlay(
  before: readonly OverlayNetworkState[],
  after: readonly OverlayNetworkState[],
): OverlayNetworkChange[] {
  const old = new Map(before.map((n) => [n.networkId, n]));
  const changes: OverlayNetworkChange[] = [];
  for (const n of after) {
    const prev = old.get(n.networkId);
    old.delete(n.networkId);
    if (!prev) changes.push({ networkId: n.networkId, set: n });
    else {
      const c = diffOverlayNetwork(prev, n);
      if (c) changes.push(c);
    }
  }
  for (const id of old.keys()) changes.push({ networkId: id, removed: true });
  return changes;
}

interface Entry {
  network: OverlayNetworkState;
  endpoints: Map<string, OverlayEndpoint>;
  services: Map<string, OverlayService>;
}

/**
 * A node's copy of its overlay networks: the complete set replaces it, changes update it in time
 * proportional to the change; a network's sorted entry is built only when asked for.
 */
export class OverlaySet {
  private readonly byId = new Map<string, Entry>();
  private readonly built = new Map<string, OverlayNetworkState>();

  replace(networks: readonly OverlayNetworkState[]): void {
    this.byId.clear();
    this.built.clear();
    for (const n of networks) this.byId.set(n.networkId, entryOf(n));
  }

  /**
   * Applies changes; a partial change for a network the set lacks is ignored. Returns the ids of
   * the networks that changed (removed ones included), for the caller to reprogram.
   */
  apply(changes: readonly OverlayNetworkChange[]): string[] {
    const touched = new Set<string>();
    for (const c of changes) {
      if (c.removed) {
        if (this.byId.delete(c.networkId)) touched.add(c.networkId);
      } else if (c.set) {
        this.byId.set(c.networkId, entryOf(c.set));
        touched.add(c.networkId);
      } else {
        const e = this.byId.get(c.networkId);
        if (!e) continue;
        for (const a of c.removedEndpoints ?? []) e.endpoints.delete(a);
        for (const ep of c.upsertEndpoints ?? []) e.endpoints.set(ep.address, ep);
        for (const id of c.removedServices ?? []) e.services.delete(id);
        for (const s of c.upsertServices ?? []) e.services.set(s.serviceId, s);
        if (c.keys && c.keys.length > 0) e.network = { ...e.network, keys: [...c.keys] };
        touched.add(c.networkId);
      }
      this.built.delete(c.networkId);
    }
    return [...touched];
  }

  has(networkId: string): boolean {
    return this.byId.has(networkId);
  }

  get(networkId: string): OverlayNetworkState | undefined {
    const cached = this.built.get(networkId);
    if (cached) return cached;
    const e = this.byId.get(networkId);
    if (!e) return undefined;
    const n: OverlayNetworkState = {
      ...e.network,
      endpoints: [...e.endpoints.values()].sort((a, b) => compareAddr(a.address, b.address)),
      services: [...e.services.values()].sort((a, b) => a.name.localeCompare(b.name)),
    };
    this.built.set(networkId, n);
    return n;
  }

  /** Every network, sorted by name. */
  list(): OverlayNetworkState[] {
    return [...this.byId.keys()]
      .map((id) => this.get(id)!)
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}

function entryOf(n: OverlayNetworkState): Entry {
  return {
    network: { ...n, endpoints: [], services: [], keys: [...n.keys] },
    endpoints: new Map(n.endpoints.map((e) => [e.address, e])),
    services: new Map(n.services.map((s) => [s.serviceId, s])),
  };
}

/** Orders dotted IPv4 addresses numerically (10.0.0.9 before 10.0.0.10). */
export function compareAddr(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
