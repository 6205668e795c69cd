// The data plane of one kind of network on this machine. The node-local bridge is the only driver
// today; cluster (overlay) networks add one that pairs the bridge with a VXLAN device
// (docs/design/network.md "Layout"). Endpoints, addresses and rules stay driver-independent.
import type { InterfaceRecord, NetworkRecord } from './state.js';

export interface NetworkDriver {
  /** Brings the network's devices up on this machine; idempotent (agent start re-runs it). */
  up(net: NetworkRecord): Promise<void>;
  /** Removes the network's devices; ignores "already gone". */
  down(net: NetworkRecord): Promise<void>;
  /**
   * Plugs a container's interface into the network: `iface` (already recorded, address allocated)
   * inside namespace `netns`; `primary` interfaces carry the default route.
   */
  plug(net: NetworkRecord, iface: InterfaceRecord, netns: string, primary: boolean): Promise<void>;
  /** Unplugs an interface; ignores "already gone". */
  unplug(iface: InterfaceRecord): Promise<void>;
}
