// Endpoint plumbing shared by the roles that add or remove container interfaces (attachments for
// the runtime, connect/disconnect of the local API): record first, then kernel objects, and
// remove in the reverse order; and the NetworkAttachment the runtime sees for an endpoint.
// Callers hold the core's mutex.
import { hostResolvers } from './dns/server.js';
import { deleteLinksAndNetns } from './host/links.js';
import { BUILTIN_BRIDGE, type NetworkCore } from './core.js';
import type { EndpointRecord, InterfaceRecord, NetworkRecord } from './state.js';
import type { NetworkAttachment } from './types.js';

const fallbackDns = ['8.8.8.8', '8.8.4.4'];

export class Endpoints {
  constructor(private readonly core: NetworkCore) {}

  /** Persists a new endpoint before any of its kernel objects exist. */
  async record(e: EndpointRecord): Promise<void> {
    this.core.state.endpoints.push(e);
    await this.core.save();
  }

  /**
   * Plugs the next ethN of `e` into `net`: with an address from IPAM, or `fixed` (an overlay
   * network's, chosen by the manager; the agent never allocates overlay addresses).
   */
  async addInterface(
    e: EndpointRecord,
    net: NetworkRecord,
    aliases: string[],
    fixed?: string,
  ): Promise<void> {
    const iface = await this.reserveInterface(e, net, aliases, fixed);
    await this.plugInterface(e, net, iface);
  }

  /**
   * The record half of addInterface: the address and the interface in the persisted state, before
   * any kernel object exists (if we crash before the veth, reconcile still knows the address).
   */
  async reserveInterface(
    e: EndpointRecord,
    net: NetworkRecord,
    aliases: string[],
    fixed?: string,
    /** --ip: claimed from IPAM (refused when another container holds it). */
    requested?: string,
  ): Promise<InterfaceRecord> {
    const { core } = this;
    const overlay = net.driver === 'overlay';
    const ipv4 =
      fixed ??
      (requested
        ? await core.ipam.claim(net.name, net.subnet, requested, e.containerId)
        : await core.ipam.allocate(net.name, net.subnet, e.containerId));
    let index = 0;
    while (e.interfaces.some((i) => i.ifName === `eth${index}`)) index++;
    const iface: InterfaceRecord = {
      network: net.name,
      ifName: `eth${index}`,
      hostVeth: `${core.prefix}${e.containerId.slice(0, 14 - core.prefix.length)}${index}`,
      ipv4,
      aliases,
      ...(overlay ? { networkId: net.id } : {}),
    };
    e.interfaces.push(iface);
    await core.save();
    return iface;
  }

  /**
   * The kernel half: the veth pair of a reserved interface. It touches only this container's
   * namespace and veth (and the bridge, which the kernel serialises), so for a bridge network it
   * may run outside the core's mutex, beside other containers' plumbing.
   */
  async plugInterface(
    e: EndpointRecord,
    net: NetworkRecord,
    iface: InterfaceRecord,
  ): Promise<void> {
    const overlay = net.driver === 'overlay';
    // Overlays never carry the default route (the way out is the node's bridge, if any).
    await this.core.driver(net).plug(net, iface, e.netns!, iface.ifName === 'eth0' && !overlay);
    if (overlay) this.core.overlay.notify([net.id]);
  }

  /**
   * Unplugs one interface and releases its address (network disconnect); an overlay's devices go
   * with its last local interface.
   */
  async removeInterface(e: EndpointRecord, iface: InterfaceRecord): Promise<void> {
    const { core } = this;
    if (iface.networkId) {
      const net = core.overlay.record(iface.networkId);
      if (net) await core.driver(net).unplug(iface);
      e.interfaces = e.interfaces.filter((x) => x !== iface);
      await core.overlay.releaseIfUnused(iface.networkId);
      return;
    }
    const net = core.allNetworks().find((n) => n.name === iface.network);
    await core.driver(net ?? core.defaultNetwork()).unplug(iface);
    await core.ipam.release(iface.network, iface.ipv4);
    e.interfaces = e.interfaces.filter((x) => x !== iface);
  }

  /** Removes an endpoint's kernel objects, addresses and ports, then its record. Never throws on "already gone". */
  async remove(e: EndpointRecord): Promise<void> {
    const bridged = await this.forget(e);
    await this.deleteKernelObjects(e, bridged);
  }

  /**
   * The state half of remove (callers hold the mutex): overlay interfaces through their fabric,
   * the record and its ports. Returns the bridge interfaces, whose veths and addresses
   * deleteKernelObjects frees; a crash in between leaves them to reconcile (veths and namespaces
   * of our prefix without a record are deleted, their addresses released).
   */
  async forget(e: EndpointRecord): Promise<InterfaceRecord[]> {
    const { core } = this;
    const bridged = e.interfaces.filter((i) => !i.networkId);
    for (const i of e.interfaces.filter((x) => x.networkId)) await this.removeInterface(e, i);
    e.interfaces = [];
    core.ports.release(e.containerId);
    core.state.endpoints = core.state.endpoints.filter((x) => x !== e);
    // Containers that shared this one's namespace lose it too.
    core.state.endpoints = core.state.endpoints.filter((x) => x.joinedTo !== e.containerId);
    await core.save();
    return bridged;
  }

  /**
   * The kernel half: host veths and the namespace in one `ip` run, then their addresses (none is
   * handed out again before its veth is gone). Needs no mutex: the objects are this endpoint's.
   */
  async deleteKernelObjects(e: EndpointRecord, bridged: InterfaceRecord[]): Promise<void> {
    await deleteLinksAndNetns(
      bridged.map((i) => i.hostVeth),
      e.netns,
    );
    for (const i of bridged) await this.core.ipam.release(i.network, i.ipv4);
  }

  /** What the runtime needs to run the container in its network (netns, address, DNS, ports). */
  attachmentOf(e: EndpointRecord): NetworkAttachment {
    const { core } = this;
    if (e.mode === 'container') {
      const owner = core.endpoint(e.joinedTo!);
      const a = owner ? this.attachmentOf(owner) : { networkName: 'none', ports: [], dns: [] };
      return { ...a, networkName: `container:${e.joinedTo}`, ports: [] };
    }
    if (e.mode === 'host') return { networkName: 'host', ports: [], dns: core.upstreams() };
    const primary = e.interfaces[0];
    const net = primary ? core.state.networks.find((n) => n.name === primary.network) : undefined;
    // A task whose networks are all internal has only overlay interfaces: no gateway, no way out.
    const routed = primary && !primary.networkId;
    // Overlay networks live in their own list (the data plane's), not among the local networks.
    const overlay = firstClusterNetwork(e, [
      ...core.state.networks,
      ...(core.state.overlayNetworks ?? []),
    ]);
    return {
      netnsPath: e.netns ? `/run/netns/${e.netns}` : undefined,
      ipv4: primary?.ipv4,
      gateway: routed ? (net?.gateway ?? core.defaultNetwork().gateway) : undefined,
      networkName:
        e.mode === 'none' ? 'none' : (primary?.network ?? e.portNetwork ?? BUILTIN_BRIDGE),
      ports: e.ports.map((p) => ({ ...p })),
      // Cluster networks resolve services through the agent's DNS on the first one's gateway (it
      // answers from every network the container is on); user networks through theirs.
      dns: overlay
        ? [overlay.gateway]
        : net
          ? [net.gateway]
          : e.mode === 'none'
            ? []
            : containerResolvers(),
      // The gateway's DNS forwards other names to the container's own --dns servers.
      ...(overlay || net ? { forwardsDns: true } : {}),
      ...this.others(e),
    };
  }

  /** Local interfaces after the first (`--network a --network b`, `network connect`). */
  private others(e: EndpointRecord): Pick<NetworkAttachment, 'others'> {
    const others = e.interfaces.slice(1).filter((i) => !i.networkId);
    if (!others.length) return {};
    return {
      others: others.map((i) => ({
        networkName: i.network,
        ipv4: i.ipv4,
        gateway: this.core.allNetworks().find((n) => n.name === i.network)?.gateway,
        aliases: i.aliases,
      })),
    };
  }
}

/** The network of the container's first interface on a cluster (overlay, non-bridge) network. */
export function firstClusterNetwork(
  e: EndpointRecord,
  networks: NetworkRecord[],
): NetworkRecord | undefined {
  for (const i of e.interfaces) {
    const n = i.networkId
      ? networks.find((x) => x.id === i.networkId)
      : networks.find((x) => x.name === i.network);
    if (n && (n.driver ?? 'bridge') !== 'bridge') return n;
  }
  return undefined;
}

/** Host resolvers a container can reach: loopback ones (systemd-resolved) are useless inside. */
function containerResolvers(): string[] {
  const usable = hostResolvers().filter((r) => !r.startsWith('127.'));
  return usable.length ? usable : fallbackDns;
}
