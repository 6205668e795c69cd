// Cluster (overlay) networks: the declared object the manager stores, and what a task carries of
// each network it is attached to. The contract between the manager (allocation), the agent's data
// plane (VXLAN) and its service discovery (DNS, VIPs); see docs/design/network.md, "Overlay networks".

/** A service's attachment to a network, as declared (`--network NAME[,alias=A]`, compose `networks:`). */
export interface NetworkAttachmentConfig {
  /** Network name or id, as the user wrote it; the manager resolves it to an id at create/update. */
  target: string;
  /** Extra DNS names of the service on this network (compose `aliases`). */
  aliases?: string[];
}

export interface NetworkSpec {
  name: string;
  /** Only 'overlay' is a cluster network; node-local bridges stay on the agent. */
  driver: 'overlay';
  labels: Record<string, string>;
  /** No route out of the cluster. */
  internal: boolean;
  /** `flotilla run --network NAME` may attach standalone containers. */
  attachable: boolean;
  /** `--opt encrypted`: ESP (kernel xfrm) between machines. */
  encrypted: boolean;
  /** Requested subnet/gateway; absent = allocated from the cluster's overlay pool. */
  ipam?: { subnet?: string; gateway?: string };
  /** `--opt k=v` / compose `driver_opts` other than `encrypted` (each honoured or refused). */
  driverOpts: Record<string, string>;
}

export interface Network {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  spec: NetworkSpec;
  /** CIDR, allocated once and never changed. */
  subnet: string;
  /** Plain IPv4: the first address of the subnet unless spec.ipam.gateway says otherwise. */
  gateway: string;
  /** VXLAN network identifier, unique in the cluster (4096 and up: below is Docker's habit too). */
  vni: number;
}

/**
 * One of a task's interfaces on a cluster network, fixed by the manager in the transaction that
 * places the task and released with the task. The agent creates the interface with exactly this
 * address; it never allocates overlay addresses itself.
 */
export interface TaskNetworkAttachment {
  networkId: string;
  name: string;
  subnet: string;
  gateway: string;
  vni: number;
  /** Plain IPv4 inside `subnet`. */
  address: string;
  /** The service's aliases on this network (its short name in a stack is one of them). */
  aliases: string[];
  internal: boolean;
  encrypted: boolean;
}

/**
 * A standalone container attached to an attachable overlay (`flotilla run --network NAME` on a
 * joined agent): its address is claimed in the transaction that writes this document and released
 * when it is deleted (the container's removal, `DetachNetwork`). Not a Task: no reconciler, `service
 * ps` or assignment stream has to skip it (docs/design/network.md).
 */
export interface ContainerAttachment {
  id: string;
  version: number;
  createdAt: string;
  /** The node of the container: the certificate's of the agent that asked, never a field it sent. */
  nodeId: string;
  networkId: string;
  /** Plain IPv4 inside the network's subnet. */
  address: string;
  containerId: string;
  /** The container's name: its DNS name on the network. */
  containerName: string;
  /** Its other DNS names there (`--network-alias`). */
  aliases: string[];
}

/** A service's virtual address on one network (endpoint mode vip). */
export interface VirtualIp {
  networkId: string;
  /** Plain IPv4 inside the network's subnet. */
  address: string;
}

/** MTU of overlay interfaces: the underlay's minus VXLAN's 50 bytes (and ESP's when encrypted). */
export const VXLAN_OVERHEAD = 50;
export const ESP_OVERHEAD = 73;
