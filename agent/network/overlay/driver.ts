// The overlay networks' NetworkDriver: the data plane of a cluster network on this machine (a
// bridge and a VXLAN device, agent/network/overlay/fabric.ts) behind the same seam as the local
// bridge driver, so endpoints and the runtime need not know which kind a network is.
import type { NetworkDriver } from '../driver.js';
import { parseSubnet } from '../ipam/cidr.js';
import type { InterfaceRecord, NetworkRecord } from '../state.js';
import type { OverlayFabric } from './fabric.js';
import { macFor } from './names.js';

export class OverlayDriver implements NetworkDriver {
  constructor(private readonly fabric: OverlayFabric) {}

  up(net: NetworkRecord): Promise<void> {
    return this.fabric.up(net);
  }

  down(net: NetworkRecord): Promise<void> {
    return this.fabric.down(net);
  }

  /**
   * The container end gets the MAC derived from its address, which every other node already put
   * in its neighbour table. Overlays never carry the default route (the way out is eth0 on the
   * node's bridge, or none for internal-only tasks), so `primary` changes nothing here.
   */
  async plug(net: NetworkRecord, iface: InterfaceRecord, netns: string): Promise<void> {
    await this.fabric.kernel.plugVeth({
      netns,
      hostVeth: iface.hostVeth,
      ifName: iface.ifName,
      bridge: net.bridge,
      cidr: `${iface.ipv4}/${parseSubnet(net.subnet).prefix}`,
      mac: macFor(iface.ipv4),
      mtu: net.mtu ?? 1450,
    });
  }

  async unplug(iface: InterfaceRecord): Promise<void> {
    await this.fabric.kernel.deleteLink(iface.hostVeth);
  }
}
