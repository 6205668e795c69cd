// What the network component persists in <dataRoot>/network/state.json: user-defined networks,
// one endpoint per attached container, and the peer routes it installed. Addresses live in
// ipam.json (ipam/ipam.ts). Written before kernel objects are created, so reconcile can always
// find and remove what a crash left behind.
import type { LoopbackOutDevice } from './host/loopback-out.js';
import { join } from 'node:path';
import type { IngressService } from '../../shared/model/index.js';
import type { OverlayNetworkInfo } from './overlay/state.js';
import type { PeerRoute, PortBinding } from './types.js';
import { readJson, writeJson } from './json-file.js';

export interface NetworkRecord {
  id: string;
  name: string;
  /** Which NetworkDriver carries it; absent (state written before drivers) = 'bridge'. */
  driver?: 'bridge' | 'overlay';
  /** Overlay networks: VXLAN network identifier, options, and the MTU of its devices here. */
  vni?: number;
  internal?: boolean;
  encrypted?: boolean;
  mtu?: number;
  subnet: string;
  gateway: string;
  bridge: string;
  createdAt: string;
  labels: Record<string, string>;
  /** Docker's `--attachable` as asked at create (local networks take any container anyway). */
  attachable?: boolean;
}

export interface InterfaceRecord {
  network: string;
  /** Name inside the container's namespace: eth0, eth1 … */
  ifName: string;
  hostVeth: string;
  ipv4: string;
  aliases: string[];
  /** Set on interfaces in an overlay network: its id (the address is the manager's, not IPAM's). */
  networkId?: string;
}

export interface EndpointRecord {
  containerId: string;
  name: string;
  hostname: string;
  mode: 'host' | 'none' | 'bridge' | 'network' | 'container';
  /** Namespace name under /run/netns (ip netns); absent for host and container: modes. */
  netns?: string;
  /** container: mode: the container whose namespace is shared. */
  joinedTo?: string;
  interfaces: InterfaceRecord[];
  /** Published ports as granted, forwarded to the address on `portNetwork`. */
  ports: PortBinding[];
  portNetwork?: string;
  /** Set when the container is about to stop: its port rules are gone, new connections refused. */
  portsWithdrawn?: boolean;
  /** The container's own upstream nameservers (--dns), used by its network's DNS for other names. */
  dns?: string[];
}

export interface PersistedState {
  networks: NetworkRecord[];
  endpoints: EndpointRecord[];
  peerRoutes: PeerRoute[];
  /** The routing mesh's endpoint set as the manager last sent it (kept while it is away). */
  ingress?: IngressService[];
  /** The default bridge's subnet in effect (the cluster's choice once a manager set it). */
  nodeSubnet?: string;
  /** Overlay networks with devices on this node (id = the cluster network's id). */
  overlayNetworks?: NetworkRecord[];
  /** The manager's description of this node's overlay networks, keys left out (never on disk). */
  overlayInfo?: OverlayNetworkInfo[];
  /** Interfaces towards peers where the agent turned route_localnet on (host/loopback-out.ts). */
  loopbackOut?: LoopbackOutDevice[];
}

export class StateFile {
  readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, 'state.json');
  }

  load(): Promise<PersistedState> {
    return readJson<PersistedState>(this.path, { networks: [], endpoints: [], peerRoutes: [] });
  }

  save(s: PersistedState): Promise<void> {
    return writeJson(this.path, s);
  }
}
