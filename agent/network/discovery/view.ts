// What service discovery (DNS answers, VIP rules) reads of the overlay state: the cluster networks
// this node is on, with every endpoint and service the manager sent, and which local containers sit
// on them. Read-only here; the overlay data plane (agent/network/overlay) owns and updates it.

/** One endpoint of a network, on any node (OverlayEndpoint on the wire). */
export interface OverlayEndpointView {
  /** Plain IPv4; the endpoint's identity on the network. */
  address: string;
  nodeId: string;
  /** Empty for a standalone attached container. */
  taskId: string;
  serviceId: string;
  /** The endpoint's own DNS names: task name (web.1.<task id>), container name. */
  names: string[];
  /** Desired running, running and healthy where checked: only these are answered and balanced to. */
  serving: boolean;
}

/** A service attached to a network (OverlayService on the wire). */
export interface OverlayServiceView {
  serviceId: string;
  /** Full name (s_back). */
  name: string;
  /** Its aliases on this network; a stack service's short name (back) is one of them. */
  aliases: string[];
  endpointMode: 'vip' | 'dnsrr';
  /** The VIP on this network; empty in dnsrr mode. */
  vip: string;
}

export interface OverlayNetworkView {
  networkId: string;
  name: string;
  subnet: string;
  /** The resolver address: the same on every node, each node's bridge carries it. */
  gateway: string;
  /** By address. */
  endpoints: ReadonlyMap<string, OverlayEndpointView>;
  /** By service id. */
  services: ReadonlyMap<string, OverlayServiceView>;
}

/** A container on this node with interfaces on overlay networks. */
export interface LocalOverlayContainer {
  containerId: string;
  /** The container's network namespace (/run/netns/<name>): where its VIP rules live. */
  netnsPath: string;
  /** In interface order (eth1, eth2 …); the first one's gateway is its resolver. */
  interfaces: { networkId: string; address: string }[];
}

/** What changed: networks whose endpoints or services changed (or that came or went), containers. */
export interface OverlayViewChange {
  networkIds: string[];
  /** Local containers that came, went or changed interfaces. */
  containerIds: string[];
}

/**
 * The overlay state as discovery reads it. Listeners are called synchronously after each applied
 * change, with the state already updated; they must not throw and should only schedule work.
 */
export interface OverlayView {
  networks(): Iterable<OverlayNetworkView>;
  network(networkId: string): OverlayNetworkView | undefined;
  localContainers(): Iterable<LocalOverlayContainer>;
  localContainer(containerId: string): LocalOverlayContainer | undefined;
  /** Returns the unsubscribe function. */
  onChange(listener: (change: OverlayViewChange) => void): () => void;
}
