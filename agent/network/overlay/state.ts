// The overlay networks this node takes part in, as the manager describes them (proto
// OverlayNetworks/OverlayChanges, converted by the session), and the read-only view other parts of
// the agent use: service discovery (DNS, VIP rules) reads endpoints and services through
// OverlayStateReader; only the overlay data plane (fabric.ts) changes them.

/** One endpoint of a network, on any node (OverlayEndpoint). */
export interface OverlayEndpointInfo {
  /** Plain IPv4 in the network's subnet: the endpoint's identity on the network. */
  address: string;
  nodeId: string;
  /** The node's underlay address (VXLAN tunnel destination). */
  nodeAddr: string;
  /** Empty for a standalone attached container. */
  taskId: string;
  serviceId: string;
  /** DNS names of the endpoint itself (task name, container name, a container's aliases). */
  names: string[];
  /** Desired running, running and healthy where it has a healthcheck: DNS and VIPs use only these. */
  serving: boolean;
}

/** A service on a network (OverlayService). */
export interface OverlayServiceInfo {
  serviceId: string;
  /** Full name (s_back). */
  name: string;
  /** Its aliases on this network (back, backend). */
  aliases: string[];
  endpointMode: 'vip' | 'dnsrr';
  /** The service's VIP on this network; '' for dnsrr. */
  vip: string;
}

/** An encryption key of an encrypted network (OverlayKey). Never written to disk. */
export interface OverlayKeyInfo {
  key: Buffer;
  spi: number;
  /** Increases with every rotation: the highest is the one to send with. */
  generation: number;
}

/** A network as this node knows it (OverlayNetwork). */
export interface OverlayNetworkInfo {
  networkId: string;
  name: string;
  vni: number;
  subnet: string;
  gateway: string;
  internal: boolean;
  encrypted: boolean;
  endpoints: OverlayEndpointInfo[];
  services: OverlayServiceInfo[];
  /** Encrypted networks only; newest last. */
  keys: OverlayKeyInfo[];
}

/** Changes to one network (OverlayNetworkChange): `set`, `removed`, or the lists below. */
export interface OverlayChangeInfo {
  networkId: string;
  /** The complete entry: a network new to this node. */
  set?: OverlayNetworkInfo;
  /** This node left the network (or it was removed): its devices go. */
  removed?: boolean;
  upsertEndpoints: OverlayEndpointInfo[];
  /** Addresses. */
  removedEndpoints: string[];
  upsertServices: OverlayServiceInfo[];
  /** Service ids. */
  removedServices: string[];
  /** The complete key list when it changed; absent = unchanged. */
  keys?: OverlayKeyInfo[];
}

/** A container of this node on an overlay network. */
export interface LocalOverlayEndpoint {
  containerId: string;
  /** Namespace name under /run/netns. */
  netns: string;
  /** Interface inside the namespace (eth1 …). */
  ifName: string;
  address: string;
}

/** What changed in one apply (only networks whose entry changed are listed). */
export interface OverlayStateChange {
  networkIds: string[];
}

/**
 * Read-only view of the overlay networks on this node, for service discovery. Values returned are
 * copies or frozen snapshots: callers must not change them. Listeners run after the data plane has
 * applied a change (forwarding and neighbour entries are in place for every endpoint listed).
 */
export interface OverlayStateReader {
  /** Every overlay network this node is on, as last applied (keys left out). */
  networks(): OverlayNetworkInfo[];
  /** One network by id; undefined when this node is not on it. */
  network(networkId: string): OverlayNetworkInfo | undefined;
  /** This node's containers on `networkId` (their namespaces, for per-namespace VIP rules). */
  localEndpoints(networkId: string): LocalOverlayEndpoint[];
  /** Called after each apply and after local containers join or leave; returns unsubscribe. */
  subscribe(listener: (change: OverlayStateChange) => void): () => void;
}
