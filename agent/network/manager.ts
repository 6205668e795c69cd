// The network component of the agent: the default bridge network, user-defined networks with their
// DNS, one namespace + veth + address per container, published ports and peer routes. It owns its
// kernel objects (named with its prefix) and its iptables chains; it never touches anyone else's.
// Containers themselves are the runtime's: this class only learns of them through attach/detach
// and the set of live ids given to reconcile.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import type { IngressService } from '../../shared/model/index.js';
import { NetworkDnsServer, hostResolvers } from './dns/server.js';
import { setSysctl } from './exec.js';
import { forgetConnectionsTo } from './host/conntrack.js';
import {
  addInterface,
  createNetns,
  deleteLink,
  deleteNetns,
  deleteRoute,
  ensureBridge,
  hostRoutes,
  listLinks,
  listNetns,
  replaceRoute,
} from './host/links.js';
import { formatSubnet, gatewayOf, overlaps, parseSubnet, subnetSize } from './ipam/cidr.js';
import { Ipam } from './ipam/ipam.js';
import { defaultUserSubnetPool, namesFor } from './defaults.js';
import { Mutex } from './json-file.js';
import { PortAllocator } from './ports/allocator.js';
import { IptablesRules } from './rules/iptables.js';
import type { RulePort, RuleState } from './rules/ruleset.js';
import {
  StateFile,
  type EndpointRecord,
  type InterfaceRecord,
  type NetworkRecord,
  type PersistedState,
} from './state.js';
import type {
  NetworkAttacher,
  NetworkAttachment,
  NetworkCreateOptions,
  NetworkInfo,
  NetworkRequest,
  PeerRoute,
  PortBinding,
} from './types.js';

export interface NetworkManagerOptions {
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
  log: Logger;
}

const BUILTIN_BRIDGE = 'bridge';
const fallbackDns = ['8.8.8.8', '8.8.4.4'];

export class NetworkManager implements NetworkAttacher {
  private readonly dir: string;
  private readonly prefix: string;
  private readonly bridgeName: string;
  private nodeSubnet: string;
  private readonly mutex = new Mutex();
  private readonly stateFile: StateFile;
  private readonly ipam: Ipam;
  private readonly ports: PortAllocator;
  private readonly rules: IptablesRules;
  private readonly log: Logger;
  private readonly dns = new Map<string, NetworkDnsServer>();
  private state: PersistedState = { networks: [], endpoints: [], peerRoutes: [] };
  private readonly createdAt = new Date().toISOString();

  constructor(private readonly opts: NetworkManagerOptions) {
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
  }

  // ---------------------------------------------------------------- lifecycle

  /** Takes the state lock, brings up bridges, rules and DNS for what was persisted. */
  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.lock();
    this.state = await this.stateFile.load();
    // Containers attached to the default bridge keep the subnet they got their addresses from.
    const stored = this.state.nodeSubnet;
    if (stored && (this.opts.preferStoredSubnet || this.defaultEndpointCount() > 0))
      this.nodeSubnet = stored;
    this.state.nodeSubnet = this.nodeSubnet;
    if (this.opts.enableIpForward ?? true) await setSysctl('net/ipv4/ip_forward', '1');
    await ensureBridge(
      this.bridgeName,
      `${gatewayOf(parseSubnet(this.nodeSubnet))}/${parseSubnet(this.nodeSubnet).prefix}`,
    );
    for (const n of this.state.networks)
      await ensureBridge(n.bridge, `${n.gateway}/${parseSubnet(n.subnet).prefix}`);
    for (const e of this.state.endpoints)
      if (e.ports.length) await this.ports.adopt(e.containerId, e.name, e.ports);
    for (const r of this.state.peerRoutes) await replaceRoute(r.subnet, r.via);
    await this.applyRules();
    for (const n of this.state.networks) await this.startDns(n);
    this.log.info({ subnet: this.nodeSubnet, bridge: this.bridgeName }, 'network started');
  }

  /** Stops DNS and lets go of held ports; kernel state stays so containers keep working. */
  async stop(): Promise<void> {
    await this.mutex.run(async () => {
      for (const s of this.dns.values()) await s.stop();
      this.dns.clear();
      this.ports.releaseAll();
      await rm(join(this.dir, 'lock'), { force: true });
    });
  }

  /** Removes everything this instance created: endpoints, bridges, chains, routes (tests, uninstall). */
  async teardown(): Promise<void> {
    await this.mutex.run(async () => {
      for (const e of [...this.state.endpoints]) await this.cleanupEndpoint(e);
      this.state.endpoints = [];
      for (const s of this.dns.values()) await s.stop();
      this.dns.clear();
      for (const n of this.state.networks) {
        await deleteLink(n.bridge);
        await this.ipam.dropNetwork(n.name);
      }
      await this.ipam.dropNetwork(BUILTIN_BRIDGE);
      this.state.networks = [];
      for (const r of this.state.peerRoutes) await deleteRoute(r.subnet, r.via);
      this.state.peerRoutes = [];
      await deleteLink(this.bridgeName);
      await this.rules.remove();
      this.ports.releaseAll();
      await this.save();
      await rm(join(this.dir, 'lock'), { force: true });
    });
  }

  // ---------------------------------------------------------------- NetworkAttacher

  async attach(req: NetworkRequest): Promise<NetworkAttachment> {
    return this.mutex.run(async () => {
      const existing = this.endpoint(req.containerId);
      if (existing) return this.attachmentOf(existing);
      const mode = req.mode || BUILTIN_BRIDGE;
      if (mode === 'host') {
        const e: EndpointRecord = { ...this.base(req), mode: 'host', interfaces: [], ports: [] };
        await this.record(e);
        return this.attachmentOf(e);
      }
      if (mode.startsWith('container:')) return this.joinContainer(req, mode.slice(10));
      if (mode === 'none') {
        const e: EndpointRecord = {
          ...this.base(req),
          mode: 'none',
          netns: this.netnsName(req.containerId),
          interfaces: [],
          ports: [],
        };
        await this.record(e);
        try {
          await createNetns(e.netns!);
        } catch (err) {
          await this.cleanupEndpoint(e);
          throw err;
        }
        return this.attachmentOf(e);
      }
      const net = this.network(mode === 'default' ? BUILTIN_BRIDGE : mode);
      // Ports first: a taken port must refuse the container before anything exists.
      const granted = await this.ports.reserve(req.containerId, req.name, req.ports);
      const e: EndpointRecord = {
        ...this.base(req),
        mode: net.name === BUILTIN_BRIDGE ? 'bridge' : 'network',
        netns: this.netnsName(req.containerId),
        interfaces: [],
        ports: granted,
        portNetwork: net.name,
      };
      await this.record(e);
      try {
        await createNetns(e.netns!);
        await this.addInterfaceTo(e, net, net.name === BUILTIN_BRIDGE ? [] : req.aliases);
        await this.save();
        await this.applyRules();
      } catch (err) {
        await this.cleanupEndpoint(e);
        await this.applyRules().catch(() => {});
        throw err;
      }
      this.log.info(
        {
          containerId: req.containerId,
          network: net.name,
          ipv4: e.interfaces[0]?.ipv4,
          ports: granted.length,
        },
        'container attached',
      );
      return this.attachmentOf(e);
    });
  }

  /**
   * Removes the container's port rules while it still runs, before it is sent its stop signal:
   * new connections to its ports are refused at once instead of reaching a process that is
   * shutting down, and flows already established finish (their conntrack entries stay). The
   * host ports stay held until detach.
   */
  async withdrawPorts(containerId: string): Promise<void> {
    await this.mutex.run(async () => {
      const e = this.endpoint(containerId);
      if (!e || e.ports.length === 0 || e.portsWithdrawn) return;
      e.portsWithdrawn = true;
      await this.save();
      await this.applyRules();
      this.log.info({ containerId }, 'ports withdrawn before stop');
    });
  }

  async detach(containerId: string): Promise<void> {
    await this.mutex.run(async () => {
      const e = this.endpoint(containerId);
      if (!e) return;
      // Rules first, while the address still answers (refused), then the flows the kernel
      // remembers towards it; only then the address goes. Deleting the interface first would let
      // a SYN be translated to an address nobody answers at, and its retransmissions would keep
      // following that entry (a hang of up to two minutes rather than a refusal).
      if (e.ports.length > 0) {
        if (!e.portsWithdrawn) {
          e.portsWithdrawn = true;
          await this.applyRules();
        }
        for (const i of e.interfaces) await forgetConnectionsTo(i.ipv4, this.log);
      }
      await this.cleanupEndpoint(e);
      await this.applyRules();
      this.log.info({ containerId }, 'container detached');
    });
  }

  /**
   * Keeps endpoints of live containers (and re-holds their ports); removes everything else this
   * agent may have left behind: endpoints, namespaces and veths with our prefix, addresses.
   */
  async reconcile(liveContainerIds: Set<string>): Promise<void> {
    await this.mutex.run(async () => {
      const namespaces = new Set(await listNetns());
      for (const e of [...this.state.endpoints]) {
        const live = liveContainerIds.has(e.containerId);
        const lostNetns = e.netns !== undefined && !namespaces.has(e.netns);
        if (live && !lostNetns) continue;
        if (live)
          this.log.warn(
            { containerId: e.containerId },
            'network namespace vanished, endpoint dropped',
          );
        await this.cleanupEndpoint(e);
      }
      const keepNs = new Set(this.state.endpoints.map((e) => e.netns).filter(Boolean));
      for (const ns of namespaces)
        if (
          ns.startsWith(`${this.prefix}-`) &&
          /^[0-9a-f]{12}$/.test(ns.slice(this.prefix.length + 1)) &&
          !keepNs.has(ns)
        )
          await deleteNetns(ns);
      const keepVeth = new Set(
        this.state.endpoints.flatMap((e) => e.interfaces.map((i) => i.hostVeth)),
      );
      const vethRe = new RegExp(`^${this.prefix}[0-9a-f]{${14 - this.prefix.length}}[0-9]$`);
      for (const l of await listLinks())
        if (vethRe.test(l) && !keepVeth.has(l)) await deleteLink(l);
      const released = await this.ipam.retain((network, ip, owner) =>
        Boolean(
          this.endpoint(owner)?.interfaces.some((i) => i.network === network && i.ipv4 === ip),
        ),
      );
      if (released.length) this.log.info({ released }, 'leaked addresses released');
      for (const e of this.state.endpoints)
        if (e.ports.length) await this.ports.adopt(e.containerId, e.name, e.ports);
      await this.save();
      await this.applyRules();
    });
  }

  // ---------------------------------------------------------------- queries

  /** Published ports of a container as granted (host ports filled in); [] when none. */
  portsOf(containerId: string): PortBinding[] {
    return this.endpoint(containerId)?.ports.map((p) => ({ ...p })) ?? [];
  }

  /** The container's address on `network` ('bridge' = the default network), if it has one. */
  addressOn(network: string, containerId: string): string | undefined {
    return this.endpoint(containerId)?.interfaces.find((i) => i.network === network)?.ipv4;
  }

  /** The attachment of a container, or undefined when it is not attached. */
  attachmentFor(containerId: string): NetworkAttachment | undefined {
    const e = this.endpoint(containerId);
    return e ? this.attachmentOf(e) : undefined;
  }

  listNetworks(): NetworkInfo[] {
    return [...this.builtins(), ...this.state.networks.map((n) => this.info(n))];
  }

  /** @throws NETWORK_NOT_FOUND */
  inspectNetwork(nameOrId: string): NetworkInfo {
    const info =
      this.listNetworks().find((n) => n.name === nameOrId || n.id === nameOrId) ??
      this.listNetworks().find((n) => nameOrId.length >= 3 && n.id.startsWith(nameOrId));
    if (!info) throw new FlotillaError('NETWORK_NOT_FOUND', { name: nameOrId });
    const containers: NonNullable<NetworkInfo['containers']> = {};
    for (const e of this.state.endpoints) {
      const i = e.interfaces.find((x) => x.network === info.name);
      if (i) containers[e.containerId] = { name: e.name, ipv4: i.ipv4, aliases: i.aliases };
      else if (
        (info.name === 'host' && e.mode === 'host') ||
        (info.name === 'none' && e.mode === 'none')
      )
        containers[e.containerId] = { name: e.name, ipv4: '', aliases: [] };
    }
    return { ...info, containers };
  }

  // ---------------------------------------------------------------- user-defined networks

  /**
   * Creates a network by name unless it exists: the executor's stack networks, made on first use.
   * Concurrent calls for one name end with one network.
   */
  async ensureNetwork(name: string, labels?: Record<string, string>): Promise<void> {
    if (this.listNetworks().some((n) => n.name === name)) return;
    try {
      await this.createNetwork({ name, labels });
    } catch (err) {
      if (!(err instanceof FlotillaError && err.code === 'NETWORK_EXISTS')) throw err;
    }
  }

  /** @throws NETWORK_EXISTS, INVALID_SUBNET, SUBNET_OVERLAP, SUBNET_POOL_EXHAUSTED */
  async createNetwork(o: NetworkCreateOptions): Promise<NetworkInfo> {
    return this.mutex.run(async () => {
      if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(o.name))
        throw new FlotillaError('INVALID_ARGUMENT', {
          detail: `invalid network name "${o.name}": use letters, digits, '_', '.', '-'`,
        });
      if (this.listNetworks().some((n) => n.name === o.name))
        throw new FlotillaError('NETWORK_EXISTS', { name: o.name });
      const subnet = o.subnet ? await this.checkSubnet(o.subnet) : await this.pickSubnet();
      const id = randomBytes(32).toString('hex');
      const s = parseSubnet(subnet);
      const rec: NetworkRecord = {
        id,
        name: o.name,
        subnet,
        gateway: gatewayOf(s),
        bridge: `${this.prefix}br${id.slice(0, 12 - this.prefix.length)}`,
        createdAt: new Date().toISOString(),
        labels: o.labels ?? {},
      };
      this.state.networks.push(rec);
      await this.save();
      try {
        await ensureBridge(rec.bridge, `${rec.gateway}/${s.prefix}`);
        await this.applyRules();
        await this.startDns(rec);
      } catch (err) {
        await this.dropNetwork(rec);
        throw err;
      }
      this.log.info({ network: rec.name, subnet, bridge: rec.bridge }, 'network created');
      return this.info(rec);
    });
  }

  /** @throws NETWORK_NOT_FOUND, NETWORK_PREDEFINED, NETWORK_IN_USE */
  async removeNetwork(nameOrId: string): Promise<void> {
    await this.mutex.run(async () => {
      const rec = this.userNetwork(nameOrId, 'removed');
      const users = this.state.endpoints.filter((e) =>
        e.interfaces.some((i) => i.network === rec.name),
      );
      if (users.length)
        throw new FlotillaError('NETWORK_IN_USE', {
          name: rec.name,
          containers: users.map((e) => e.name || e.containerId.slice(0, 12)).join(', '),
        });
      await this.dropNetwork(rec);
      this.log.info({ network: rec.name }, 'network removed');
    });
  }

  /** Removes every user-defined network without endpoints; returns their names. */
  async pruneNetworks(): Promise<string[]> {
    const unused = this.state.networks.filter(
      (n) => !this.state.endpoints.some((e) => e.interfaces.some((i) => i.network === n.name)),
    );
    const removed: string[] = [];
    for (const n of unused) {
      await this.removeNetwork(n.name).then(
        () => removed.push(n.name),
        () => {},
      );
    }
    return removed;
  }

  /** Adds an interface on `network` to an attached container (network connect). */
  async connect(nameOrId: string, containerId: string, aliases: string[] = []): Promise<void> {
    await this.mutex.run(async () => {
      const net = this.network(nameOrId);
      const e = this.endpointByRef(containerId);
      if (!e || !e.netns || e.mode === 'none')
        throw new FlotillaError('INVALID_NETWORK_MODE', {
          mode: e?.mode ?? 'unknown',
          reason: `container ${containerId} has no network namespace of its own to connect`,
        });
      if (e.interfaces.some((i) => i.network === net.name))
        throw new FlotillaError('ENDPOINT_EXISTS', {
          container: e.name || containerId,
          network: net.name,
        });
      await this.addInterfaceTo(e, net, net.name === BUILTIN_BRIDGE ? [] : aliases);
      await this.save();
      await this.applyRules();
    });
  }

  /** Removes a container's interface on `network` (network disconnect). */
  async disconnect(nameOrId: string, containerId: string): Promise<void> {
    await this.mutex.run(async () => {
      const net = this.network(nameOrId);
      const e = this.endpointByRef(containerId);
      const i = e?.interfaces.find((x) => x.network === net.name);
      if (!e || !i)
        throw new FlotillaError('ENDPOINT_NOT_FOUND', {
          container: containerId,
          network: net.name,
        });
      await deleteLink(i.hostVeth);
      await this.ipam.release(net.name, i.ipv4);
      e.interfaces = e.interfaces.filter((x) => x !== i);
      if (e.portNetwork === net.name) {
        this.ports.release(e.containerId);
        e.ports = [];
        e.portNetwork = undefined;
      }
      await this.save();
      await this.applyRules();
    });
  }

  // ---------------------------------------------------------------- node subnet

  /** The default bridge network's subnet in effect. */
  get currentNodeSubnet(): string {
    return this.nodeSubnet;
  }

  /** Containers with an address on the default bridge network. */
  defaultEndpointCount(): number {
    return this.state.endpoints.filter((e) =>
      e.interfaces.some((i) => i.network === BUILTIN_BRIDGE),
    ).length;
  }

  /**
   * Moves the default bridge to `cidr` (the subnet the manager handed out). Refused (false) while
   * containers hold addresses on the current one: they keep working, and the agent reports its
   * subnet to the manager instead. Persisted, so a restart starts on it (preferStoredSubnet).
   */
  async setNodeSubnet(cidr: string): Promise<boolean> {
    return this.mutex.run(async () => {
      const next = formatSubnet(parseSubnet(cidr));
      if (next === this.nodeSubnet) return true;
      if (this.defaultEndpointCount() > 0) return false;
      await deleteLink(this.bridgeName);
      this.nodeSubnet = next;
      this.state.nodeSubnet = next;
      const s = parseSubnet(next);
      await ensureBridge(this.bridgeName, `${gatewayOf(s)}/${s.prefix}`);
      await this.save();
      await this.applyRules();
      this.log.info({ subnet: next, bridge: this.bridgeName }, 'node subnet changed');
      return true;
    });
  }

  // ---------------------------------------------------------------- peer routes

  /** Makes `ip route` hold exactly these routes to other nodes' subnets (idempotent). */
  async setPeerRoutes(routes: PeerRoute[]): Promise<void> {
    await this.mutex.run(async () => {
      const want = routes.map((r) => ({ subnet: formatSubnet(parseSubnet(r.subnet)), via: r.via }));
      const key = (r: PeerRoute) => `${r.subnet} ${r.via}`;
      const wanted = new Set(want.map(key));
      for (const r of this.state.peerRoutes)
        if (!wanted.has(key(r))) await deleteRoute(r.subnet, r.via);
      for (const r of want) await replaceRoute(r.subnet, r.via);
      this.state.peerRoutes = want;
      await this.save();
      await this.applyRules();
    });
  }

  // ---------------------------------------------------------------- routing mesh

  /**
   * Makes every ingress port of the cluster answer on this node and spread its connections across
   * `services`' addresses (here or on other nodes; rules/ingress.ts). Persisted, so the mesh keeps
   * working across agent restarts while no manager is reachable. Flows not yet answered by an
   * address that left are forgotten, so a retransmitted SYN meets the new rules; established ones
   * finish (the task is draining).
   */
  async setIngress(services: IngressService[]): Promise<void> {
    await this.mutex.run(async () => {
      const before = new Set((this.state.ingress ?? []).flatMap((s) => s.addrs));
      this.state.ingress = services.map((s) => ({
        ...s,
        ports: s.ports.map((p) => ({ ...p })),
        addrs: [...s.addrs],
      }));
      await this.save();
      await this.applyRules();
      const now = new Set(services.flatMap((s) => s.addrs));
      const gone = [...before].filter((a) => !now.has(a));
      for (const a of gone) await forgetConnectionsTo(a, this.log, { unansweredOnly: true });
      this.log.debug(
        { services: services.length, removed: gone.length },
        'ingress endpoints applied',
      );
    });
  }

  /** The routing mesh's endpoint set in effect (tests, `agent info`). */
  ingressServices(): IngressService[] {
    return structuredClone(this.state.ingress ?? []);
  }

  // ---------------------------------------------------------------- internals

  private base(req: NetworkRequest) {
    return { containerId: req.containerId, name: req.name, hostname: req.hostname };
  }

  private netnsName(containerId: string): string {
    return `${this.prefix}-${containerId.slice(0, 12)}`;
  }

  private endpoint(containerId: string): EndpointRecord | undefined {
    return this.state.endpoints.find((e) => e.containerId === containerId);
  }

  /** By full id, name, or unique id prefix (CLI arguments). */
  private endpointByRef(ref: string): EndpointRecord | undefined {
    const exact = this.state.endpoints.find((e) => e.containerId === ref || e.name === ref);
    if (exact) return exact;
    const byPrefix = this.state.endpoints.filter((e) => e.containerId.startsWith(ref));
    return byPrefix.length === 1 ? byPrefix[0] : undefined;
  }

  private network(nameOrId: string): NetworkRecord {
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

  private userNetwork(nameOrId: string, action: string): NetworkRecord {
    if (['bridge', 'host', 'none'].includes(nameOrId))
      throw new FlotillaError('NETWORK_PREDEFINED', { name: nameOrId, action });
    return this.network(nameOrId);
  }

  private defaultNetwork(): NetworkRecord {
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

  private builtins(): NetworkInfo[] {
    const d = this.defaultNetwork();
    return [
      { ...this.info(d), builtin: true },
      {
        id: builtinId('host'),
        name: 'host',
        driver: 'host',
        scope: 'local',
        builtin: true,
        createdAt: this.createdAt,
        labels: {},
      },
      {
        id: builtinId('none'),
        name: 'none',
        driver: 'null',
        scope: 'local',
        builtin: true,
        createdAt: this.createdAt,
        labels: {},
      },
    ];
  }

  private info(n: NetworkRecord): NetworkInfo {
    return {
      id: n.id,
      name: n.name,
      driver: 'bridge',
      scope: 'local',
      builtin: false,
      subnet: n.subnet,
      gateway: n.gateway,
      bridge: n.bridge,
      createdAt: n.createdAt,
      labels: n.labels,
    };
  }

  private async joinContainer(req: NetworkRequest, ref: string): Promise<NetworkAttachment> {
    const target = this.endpointByRef(ref);
    if (!target)
      throw new FlotillaError('INVALID_NETWORK_MODE', {
        mode: req.mode,
        reason: `container ${ref} is not attached to a network here`,
      });
    if (req.ports.length)
      throw new FlotillaError('INVALID_NETWORK_MODE', {
        mode: req.mode,
        reason: "ports cannot be published when sharing another container's network",
      });
    const owner = target.mode === 'container' ? this.endpoint(target.joinedTo!)! : target;
    const e: EndpointRecord = {
      ...this.base(req),
      mode: 'container',
      joinedTo: owner.containerId,
      interfaces: [],
      ports: [],
    };
    await this.record(e);
    return this.attachmentOf(e);
  }

  private async addInterfaceTo(
    e: EndpointRecord,
    net: NetworkRecord,
    aliases: string[],
  ): Promise<void> {
    const ipv4 = await this.ipam.allocate(net.name, net.subnet, e.containerId);
    let index = 0;
    while (e.interfaces.some((i) => i.ifName === `eth${index}`)) index++;
    const iface: InterfaceRecord = {
      network: net.name,
      ifName: `eth${index}`,
      hostVeth: `${this.prefix}${e.containerId.slice(0, 14 - this.prefix.length)}${index}`,
      ipv4,
      aliases,
    };
    // Record first: if we crash between here and the veth, reconcile still knows the address.
    e.interfaces.push(iface);
    await this.save();
    await addInterface({
      netns: e.netns!,
      hostVeth: iface.hostVeth,
      ifName: iface.ifName,
      bridge: net.bridge,
      cidr: `${ipv4}/${parseSubnet(net.subnet).prefix}`,
      gateway: index === 0 ? net.gateway : undefined,
    });
  }

  private attachmentOf(e: EndpointRecord): NetworkAttachment {
    if (e.mode === 'container') {
      const owner = this.endpoint(e.joinedTo!);
      const a = owner ? this.attachmentOf(owner) : { networkName: 'none', ports: [], dns: [] };
      return { ...a, networkName: `container:${e.joinedTo}`, ports: [] };
    }
    if (e.mode === 'host') return { networkName: 'host', ports: [], dns: this.upstreams() };
    const primary = e.interfaces[0];
    const net = primary ? this.state.networks.find((n) => n.name === primary.network) : undefined;
    return {
      netnsPath: e.netns ? `/run/netns/${e.netns}` : undefined,
      ipv4: primary?.ipv4,
      gateway: primary ? (net?.gateway ?? this.defaultNetwork().gateway) : undefined,
      networkName:
        e.mode === 'none' ? 'none' : (primary?.network ?? e.portNetwork ?? BUILTIN_BRIDGE),
      ports: e.ports.map((p) => ({ ...p })),
      // User networks resolve container names through the network's DNS on its gateway.
      dns: net ? [net.gateway] : e.mode === 'none' ? [] : this.containerResolvers(),
    };
  }

  private upstreams(): string[] {
    return this.opts.dnsUpstreams ?? hostResolvers();
  }

  /** Host resolvers a container can reach: loopback ones (systemd-resolved) are useless inside. */
  private containerResolvers(): string[] {
    const usable = hostResolvers().filter((r) => !r.startsWith('127.'));
    return usable.length ? usable : fallbackDns;
  }

  private async record(e: EndpointRecord): Promise<void> {
    this.state.endpoints.push(e);
    await this.save();
  }

  /** Removes an endpoint's kernel objects, address and ports, then its record. Never throws on "already gone". */
  private async cleanupEndpoint(e: EndpointRecord): Promise<void> {
    for (const i of e.interfaces) {
      await deleteLink(i.hostVeth);
      await this.ipam.release(i.network, i.ipv4);
    }
    if (e.netns) await deleteNetns(e.netns);
    this.ports.release(e.containerId);
    this.state.endpoints = this.state.endpoints.filter((x) => x !== e);
    // Containers that shared this one's namespace lose it too.
    this.state.endpoints = this.state.endpoints.filter((x) => x.joinedTo !== e.containerId);
    await this.save();
  }

  private async dropNetwork(rec: NetworkRecord): Promise<void> {
    await this.dns.get(rec.name)?.stop();
    this.dns.delete(rec.name);
    this.state.networks = this.state.networks.filter((n) => n !== rec);
    await this.save();
    await this.applyRules();
    await deleteLink(rec.bridge);
    await this.ipam.dropNetwork(rec.name);
  }

  private async startDns(n: NetworkRecord): Promise<void> {
    const server = new NetworkDnsServer({
      address: n.gateway,
      port: this.opts.dnsPort,
      subnet: n.subnet,
      upstreams: this.upstreams(),
      log: this.log.child({ network: n.name }),
      lookup: (name) => this.lookup(n.name, name),
    });
    await server.start();
    this.dns.set(n.name, server);
  }

  private lookup(network: string, name: string): string[] {
    const out: string[] = [];
    for (const e of this.state.endpoints) {
      const i = e.interfaces.find((x) => x.network === network);
      if (!i) continue;
      const names = [e.name, e.containerId.slice(0, 12), ...i.aliases].map((x) => x.toLowerCase());
      if (names.includes(name)) out.push(i.ipv4);
    }
    return out;
  }

  private async checkSubnet(value: string): Promise<string> {
    const s = parseSubnet(value);
    const subnet = formatSubnet(s);
    for (const n of [this.defaultNetwork(), ...this.state.networks])
      if (overlaps(s, parseSubnet(n.subnet)))
        throw new FlotillaError('SUBNET_OVERLAP', {
          subnet,
          other: `network ${n.name} (${n.subnet})`,
        });
    for (const r of await hostRoutes()) {
      if (r === '0.0.0.0/0' || r.endsWith('/32')) continue;
      const rs = safeSubnet(r);
      if (rs && overlaps(s, rs))
        throw new FlotillaError('SUBNET_OVERLAP', { subnet, other: `a host route to ${r}` });
    }
    return subnet;
  }

  private async pickSubnet(): Promise<string> {
    const pool = parseSubnet(this.opts.userSubnetPool ?? defaultUserSubnetPool);
    const prefix = Math.max(24, pool.prefix);
    const step = 2 ** (32 - prefix);
    for (let base = pool.base; base < pool.base + subnetSize(pool); base += step) {
      const cand = formatSubnet({ base, prefix });
      try {
        return await this.checkSubnet(cand);
      } catch (err) {
        if ((err as FlotillaError).code !== 'SUBNET_OVERLAP') throw err;
      }
    }
    throw new FlotillaError('SUBNET_POOL_EXHAUSTED', { prefix, pool: formatSubnet(pool) });
  }

  private ruleState(): RuleState {
    const nets = [this.defaultNetwork(), ...this.state.networks];
    const ports: RulePort[] = [];
    for (const e of this.state.endpoints) {
      if (e.portsWithdrawn) continue;
      const i = e.interfaces.find((x) => x.network === e.portNetwork);
      const net = nets.find((n) => n.name === e.portNetwork);
      if (!i || !net) continue;
      for (const b of e.ports)
        ports.push({ containerId: e.containerId, ip: i.ipv4, bridge: net.bridge, binding: b });
    }
    return {
      networks: nets.map((n) => ({ name: n.name, bridge: n.bridge, subnet: n.subnet })),
      ports,
      peerSubnets: this.state.peerRoutes.map((r) => r.subnet),
      ingress: {
        ports: (this.state.ingress ?? []).flatMap((s) =>
          s.ports.map((p) => ({ service: s.name, ...p, addrs: s.addrs })),
        ),
        localAddrs: this.state.endpoints.flatMap((e) => e.interfaces.map((i) => i.ipv4)),
        peerSubnets: this.state.peerRoutes.map((r) => r.subnet),
        peerAddrs: [...new Set(this.state.peerRoutes.map((r) => r.via))],
      },
    };
  }

  private applyRules(): Promise<void> {
    return this.rules.apply(this.ruleState());
  }

  private save(): Promise<void> {
    return this.stateFile.save(this.state);
  }

  /** One agent per data root: a pid file, taken over when its process is gone. */
  private async lock(): Promise<void> {
    const path = join(this.dir, 'lock');
    try {
      const pid = Number((await readFile(path, 'utf8')).trim());
      if (pid && pid !== process.pid && processAlive(pid))
        throw new FlotillaError('NETWORK_STATE_LOCKED', { dir: this.dir, pid });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const fh = await open(path, 'w');
    await fh.writeFile(String(process.pid));
    await fh.close();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function safeSubnet(r: string) {
  try {
    const [ip, p] = r.split('/');
    const prefix = Number(p);
    if (prefix < 8) return undefined;
    return parseSubnet(`${ip}/${prefix}`);
  } catch {
    return undefined;
  }
}

/** Stable ids for the pre-defined networks, so `network inspect <id>` works across restarts. */
function builtinId(name: string): string {
  return Buffer.from(`flotilla-builtin-${name}`).toString('hex').padEnd(64, '0').slice(0, 64);
}
