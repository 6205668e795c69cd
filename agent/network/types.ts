// The contract between the runtime (which creates containers) and the network component (which gives
// them a network namespace, an address and published ports). Wire types: shared/engine.
import type { NetworkInfo, PortBinding } from '../../shared/engine/index.js';

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

/** Another node's container subnet and the address to reach it through. */
export interface PeerRoute {
  subnet: string;
  via: string;
}
