// The network component's contracts, one per consumer: the runtime attaches containers
// (NetworkAttacher), the executor provisions task networks (NetworkProvisioner), the session applies
// cluster state (NodeNetwork), the local API manages networks (LocalNetworkApi). Wire types:
// shared/engine.
import type {
  ExtraNetwork,
  NetworkCreateOptions,
  NetworkInfo,
  PortBinding,
} from '../../shared/engine/index.js';
import type { IngressService, TaskNetworkAttachment } from '../../shared/model/index.js';

import type { OverlayChangeInfo, OverlayNetworkInfo } from './overlay/state.js';

export type { NetworkCreateOptions, NetworkInfo, PortBinding } from '../../shared/engine/index.js';

export interface NetworkRequest {
  containerId: string;
  /** 'bridge' (default), 'host', 'none', a user-defined network name, or 'container:<id>'. */
  mode: string;
  aliases: string[];
  /** Container name, registered in the network's DNS. */
  name: string;
  hostname: string;
  ports: PortBinding[];
  /**
   * Cluster (overlay) networks, plugged as eth1… after `mode`'s interface (eth0 …, with mode
   * 'none': no other interface and no default route), with the manager's addresses.
   */
  overlays?: TaskNetworkAttachment[];
  /** The container's own nameservers (--dns): its network's DNS forwards other names to them. */
  dns?: string[];
  /** --ip: the address to claim on `mode`'s network instead of the next free one. */
  ipv4Address?: string;
  /** Local networks beside `mode`'s (a user-defined or the default bridge), plugged as eth1…. */
  extraNetworks?: ExtraNetwork[];
}

export interface NetworkAttachment {
  /** Path of the network namespace for config.json; undefined = host network namespace. */
  netnsPath?: string;
  /** Container address on its network, e.g. 10.240.3.7. */
  ipv4?: string;
  gateway?: string;
  networkName: string;
  /** Ports as bound, with the host ports that were picked. */
  ports: PortBinding[];
  /** Nameservers to write into the container's resolv.conf (the network's DNS for user networks). */
  dns: string[];
  /** `dns` is the network's DNS server, which forwards to the request's `dns` (user networks). */
  forwardsDns?: boolean;
  /** The container's further local networks (eth1…: `extraNetworks`), for inspect. */
  others?: { networkName: string; ipv4: string; gateway?: string; aliases: string[] }[];
}

export interface NetworkAttacher {
  /**
   * Creates the namespace, address and port rules. Refuses a taken host port before anything is
   * created (PORT_IN_USE naming the port and its holder); on failure nothing is left behind.
   */
  attach(req: NetworkRequest): Promise<NetworkAttachment>;
  /** Removes the port rules of a container about to stop (new connections refused). Idempotent. */
  withdrawPorts?(containerId: string): Promise<void>;
  /** Removes rules, namespace and address. Idempotent. */
  detach(containerId: string): Promise<void>;
  /** Recomputes every rule from the containers that exist (agent start): drops stale state. */
  reconcile(liveContainerIds: Set<string>): Promise<void>;
  /**
   * A network by name or id; the runtime asks at `create` so an unknown one fails there, not at
   * start. @throws NETWORK_NOT_FOUND
   */
  inspectNetwork?(nameOrId: string): NetworkInfo;
}

/** What the executor needs: stack networks made on first use, the routing mesh's interface. */
export interface NetworkProvisioner {
  /** Creates a network by name unless it exists; concurrent calls for one name end with one. */
  ensureNetwork(name: string, labels?: Record<string, string>): Promise<void>;
  /** Adds an interface on `network` to a created container (the routing mesh's bridge address). */
  connect?(network: string, containerId: string): Promise<void>;
  /** The container's address on `network`, if it has one. */
  addressOn?(network: string, containerId: string): string | undefined;
}

/** What the session applies from the manager: the node's subnet, peer routes, the routing mesh. */
export interface NodeNetwork {
  /** The default bridge network's subnet in effect. */
  readonly currentNodeSubnet: string;
  /** Containers with an address on the default bridge network. */
  defaultEndpointCount(): number;
  /** Moves the (empty) default bridge to `cidr`; false while containers hold addresses on it. */
  setNodeSubnet(cidr: string): Promise<boolean>;
  /** Makes `ip route` hold exactly these routes to other nodes' subnets. */
  setPeerRoutes(routes: PeerRoute[]): Promise<void>;
  /** The routing mesh's endpoint set (absent: the mesh is not applied on this agent). */
  setIngress?(services: IngressService[]): Promise<void>;
  /** The complete set of this node's overlay networks (session open); absent: no overlays. */
  setOverlays?(networks: OverlayNetworkInfo[]): Promise<void>;
  /** Changes to the overlay networks, applied in order. */
  applyOverlayChanges?(changes: OverlayChangeInfo[]): Promise<void>;
}

/** What the local engine API's /networks routes need. */
export interface LocalNetworkApi {
  listNetworks(): NetworkInfo[];
  /** @throws NETWORK_NOT_FOUND */
  inspectNetwork(nameOrId: string): NetworkInfo;
  /** @throws NETWORK_EXISTS, INVALID_SUBNET, SUBNET_OVERLAP, SUBNET_POOL_EXHAUSTED */
  createNetwork(o: NetworkCreateOptions): Promise<NetworkInfo>;
  /** @throws NETWORK_NOT_FOUND, NETWORK_PREDEFINED, NETWORK_IN_USE */
  removeNetwork(nameOrId: string): Promise<void>;
  /** Removes every user-defined network without endpoints; returns their names. */
  pruneNetworks(): Promise<string[]>;
  /** `ipv4Address`: the address asked for (`network connect --ip`), checked by the caller. */
  connect(
    nameOrId: string,
    containerId: string,
    aliases?: string[],
    ipv4Address?: string,
  ): Promise<void>;
  disconnect(nameOrId: string, containerId: string): Promise<void>;
}

/** Another node's container subnet and the address to reach it through. */
export interface PeerRoute {
  subnet: string;
  via: string;
}
