// The network component's shared core: the persisted state (<dataRoot>/network/state.json) behind
// one mutex, the rule set regenerated from it, the allocators (addresses, host ports) and the
// drivers. The role modules (attachments, local-networks, provisioning, cluster-state) change
// state and kernel objects only through it, inside run().
import { join } from 'node:path';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import { BridgeDriver } from './bridge/driver.js';
import { hostResolvers } from './dns/server.js';
import type { NetworkDriver } from './driver.js';
import { formatSubnet, gatewayOf, parseSubnet } from './ipam/cidr.js';
import { Ipam } from './ipam/ipam.js';
import { namesFor } from './defaults.js';
import { run } from './exec.js';
import { OverlayDriver } from './overlay/driver.js';
import { OverlayFabric } from './overlay/fabric.js';
import { Mutex } from '../../shared/concurrency/mutex.js';
import { PortAllocator } from './ports/allocator.js';
import { desiredRules } from './rules/desired.js';
import { IptablesRules } from './rules/iptables.js';
import {
  StateFile,
  type EndpointRecord,
  type NetworkRecord,
  type PersistedState,
} from './state.js';

export interface NetworkOptions {
  /** State goes to <dataRoot>/network. */
  dataRoot: string;
  /** Subnet of the default bridge network (this node's share of the cluster pool). */
  nodeSubnet: string;
  /**
   * Start on the subnet the manager last handed out (persisted) rather than `nodeSubnet`, which is
   * then only the default (no explicit --node-subnet). @default false
   */
  preferStoredSubnet?: boolean;
  /** @default 'flt0' on the default data root, else derived from it (defaults.ts namesFor) */
  bridgeName?: string;
  /** Prefix of namespaces (`<prefix>-<id12>`), veths and user bridges; 2-4 chars. @default 'flt' (see bridgeName) */
  namePrefix?: string;
  /** Prefix of our iptables chains. @default 'FLOTILLA' (see bridgeName) */
  chainPrefix?: string;
  /** Pool that user-defined networks get a /24 from. @default '10.241.0.0/16' */
  userSubnetPool?: string;
  /** Turn on net.ipv4.ip_forward for the whole host, as Docker does. @default true */
  enableIpForward?: boolean;
  /** Random host ports come from here. @default ip_local_port_range */
  portRange?: [number, number];
  /** Resolvers for names the network DNS does not know. @default /etc/resolv.conf nameservers */
  dnsUpstreams?: string[];
  /** @default 53 */
  dnsPort?: number;
  /**
   * This node's underlay address: overlay networks' VXLAN source and the address other nodes send
   * to (the manager knows it as NodeDescription.addr, from --advertise-addr).
   * @default the first non-loopback IPv4 address
   */
  underlayAddr?: string;
  log: Logger;
}

/** The default network's name (Docker's), carried by the node's bridge (`flt0`). */
export const BUILTIN_BRIDGE = 'bridge';

export class NetworkCore {
  readonly dir: string;
  readonly prefix: string;
  readonly bridgeName: string;
  /** The default bridge's subnet in effect (cluster-state.ts moves it). */
  nodeSubnet: string;
  readonly stateFile: StateFile;
  readonly ipam: Ipam;
  readonly ports: PortAllocator;
  readonly rules: IptablesRules;
  readonly log: Logger;
  state: PersistedState = { networks: [], endpoints: [], peerRoutes: [] };
  readonly createdAt = new Date().toISOString();
  private readonly mutex = new Mutex();
  private readonly bridge = new BridgeDriver();
  /** Cluster (overlay) networks' data plane: devices, remote entries, ESP (overlay/fabric.ts). */
  readonly overlay: OverlayFabric;
  private readonly overlayDriver: OverlayDriver;

  constructor(readonly opts: NetworkOptions) {
    this.dir = join(opts.dataRoot, 'network');
    const names = namesFor(opts.dataRoot);
    this.prefix = opts.namePrefix ?? names.namePrefix;
    this.bridgeName = opts.bridgeName ?? names.bridgeName;
    this.nodeSubnet = formatSubnet(parseSubnet(opts.nodeSubnet));
    this.stateFile = new StateFile(this.dir);
    this.ipam = new Ipam({ dir: this.dir });
    this.ports = new PortAllocator({ range: opts.portRange });
    this.rules = new IptablesRules(opts.chainPrefix ?? names.chainPrefix);
    this.log = opts.log.child({ component: 'network' });
    this.overlay = new OverlayFabric({
      exec: run,
      prefix: this.prefix,
      underlayAddr: opts.underlayAddr,
      store: this,
      log: this.log.child({ driver: 'overlay' }),
    });
    this.overlayDriver = new OverlayDriver(this.overlay);
  }

  /** Runs `fn` alone, in call order: every change of state and kernel objects goes through here. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(fn);
  }

  /** The data plane of `net`: node-local bridge, or cluster overlay (bridge + VXLAN). */
  driver(net: NetworkRecord): NetworkDriver {
    return net.driver === 'overlay' ? this.overlayDriver : this.bridge;
  }

  save(): Promise<void> {
    return this.stateFile.save(this.state);
  }

  /** Rewrites every chain of ours from the state (one iptables-restore). */
  applyRules(): Promise<void> {
    return this.rules.apply(desiredRules(this.allNetworks(), this.state, this.overlay.records()));
  }

  endpoint(containerId: string): EndpointRecord | undefined {
    return this.state.endpoints.find((e) => e.containerId === containerId);
  }

  /**
   * The own nameservers (--dns, a service's `dns`) of the local container whose address on a
   * cluster network is `ip`, if it set any: the overlay DNS forwards that client's other names to
   * them. Overlay addresses are unique in the cluster, so the address alone names the container.
   */
  overlayUpstreamsOf(ip: string): string[] | undefined {
    const e = this.state.endpoints.find((x) =>
      x.interfaces.some((i) => i.networkId !== undefined && i.ipv4 === ip),
    );
    return e?.dns?.length ? e.dns : undefined;
  }

  /** By full id, name, or unique id prefix (CLI arguments). */
  endpointByRef(ref: string): EndpointRecord | undefined {
    const exact = this.state.endpoints.find((e) => e.containerId === ref || e.name === ref);
    if (exact) return exact;
    const byPrefix = this.state.endpoints.filter((e) => e.containerId.startsWith(ref));
    return byPrefix.length === 1 ? byPrefix[0] : undefined;
  }

  /** A network with a bridge here, by name, id or id prefix. @throws NETWORK_NOT_FOUND, NETWORK_PREDEFINED */
  network(nameOrId: string): NetworkRecord {
    if (nameOrId === BUILTIN_BRIDGE) return this.defaultNetwork();
    const rec =
      this.state.networks.find((n) => n.name === nameOrId || n.id === nameOrId) ??
      this.state.networks.find((n) => nameOrId.length >= 3 && n.id.startsWith(nameOrId));
    if (!rec) {
      if (nameOrId === 'host' || nameOrId === 'none')
        throw new FlotillaError('NETWORK_PREDEFINED', { name: nameOrId, action: 'connected to' });
      throw new FlotillaError('NETWORK_NOT_FOUND', { name: nameOrId });
    }
    return rec;
  }

  /** A user-defined network; the pre-defined ones are refused for `action`. */
  userNetwork(nameOrId: string, action: string): NetworkRecord {
    if ([BUILTIN_BRIDGE, 'host', 'none'].includes(nameOrId))
      throw new FlotillaError('NETWORK_PREDEFINED', { name: nameOrId, action });
    return this.network(nameOrId);
  }

  defaultNetwork(): NetworkRecord {
    const s = parseSubnet(this.nodeSubnet);
    return {
      id: builtinId(BUILTIN_BRIDGE),
      name: BUILTIN_BRIDGE,
      subnet: this.nodeSubnet,
      gateway: gatewayOf(s),
      bridge: this.bridgeName,
      createdAt: this.createdAt,
      labels: {},
    };
  }

  /** The default network and every user-defined one. */
  allNetworks(): NetworkRecord[] {
    return [this.defaultNetwork(), ...this.state.networks];
  }

  /** Containers with an address on the default bridge network. */
  defaultEndpointCount(): number {
    return this.state.endpoints.filter((e) =>
      e.interfaces.some((i) => i.network === BUILTIN_BRIDGE),
    ).length;
  }

  netnsName(containerId: string): string {
    return `${this.prefix}-${containerId.slice(0, 12)}`;
  }

  /** Resolvers for names our DNS does not know, and for host-network containers. */
  upstreams(): string[] {
    return this.opts.dnsUpstreams ?? hostResolvers();
  }
}

/** Stable ids for the pre-defined networks, so `network inspect <id>` works across restarts. */
export function builtinId(name: string): string {
  return Buffer.from(`flotilla-builtin-${name}`).toString('hex').padEnd(64, '0').slice(0, 64);
}
