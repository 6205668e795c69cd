// The node-local bridge driver: one Linux bridge per network with the gateway address, and a veth
// pair per container interface with its host end on the bridge (docs/design/network.md).
import type { NetworkDriver } from '../driver.js';
import { addInterface, deleteLink, ensureBridge } from '../host/links.js';
import { parseSubnet } from '../ipam/cidr.js';
import type { InterfaceRecord, NetworkRecord } from '../state.js';

export class BridgeDriver implements NetworkDriver {
  async up(net: NetworkRecord): Promise<void> {
    await ensureBridge(net.bridge, `${net.gateway}/${parseSubnet(net.subnet).prefix}`);
  }

  async down(net: NetworkRecord): Promise<void> {
    await deleteLink(net.bridge);
  }

  async plug(
    net: NetworkRecord,
    iface: InterfaceRecord,
    netns: string,
    primary: boolean,
  ): Promise<void> {
    await addInterface({
      netns,
      hostVeth: iface.hostVeth,
      ifName: iface.ifName,
      bridge: net.bridge,
      cidr: `${iface.ipv4}/${parseSubnet(net.subnet).prefix}`,
      gateway: primary ? net.gateway : undefined,
    });
  }

  async unplug(iface: InterfaceRecord): Promise<void> {
    await deleteLink(iface.hostVeth);
  }
}
