// The network component as main.ts builds it: one core (state file, rule set, allocators) and the
// role objects each consumer is given — `attachments` (runtime), `provisioning` (executor),
// `cluster` (session), `local` (local API) — plus the lifecycle: start, stop, teardown. Its
// kernel objects carry its prefix and its chains; it never touches anyone else's.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FlotillaError } from '../../shared/errors/index.js';
import { tryExclusiveLock, type HeldLock } from '../../shared/fs/exclusive-lock.js';
import { ContainerAttachments } from './attachments.js';
import { NetworkCatalog } from './catalog.js';
import { ClusterNetworkState } from './cluster-state.js';
import { BUILTIN_BRIDGE, NetworkCore, type NetworkOptions } from './core.js';
import { NetworkDnsServers } from './dns/servers.js';
import { Endpoints } from './endpoints.js';
import { setSysctl } from './exec.js';
import { deleteRoute, replaceRoute } from './host/links.js';
import { restoreLoopbackOut } from './host/loopback-out.js';
import { LocalNetworks } from './local-networks.js';
import type { OverlayStateReader } from './overlay/state.js';
import { TaskNetworks } from './provisioning.js';
import { ServiceDiscovery } from './service-discovery.js';
import { assertNodeSubnetFree, splitPeerRoutes } from './subnets.js';

export class NetworkComponent {
  /** For the runtime: attach, withdraw ports, detach, reconcile. */
  readonly attachments: ContainerAttachments;
  /** For the executor: stack networks on first use, the routing mesh's interface. */
  readonly provisioning: TaskNetworks;
  /** For the session: node subnet, peer routes, routing mesh. */
  readonly cluster: ClusterNetworkState;
  /** For the local API: network create/ls/inspect/rm/prune/connect/disconnect. */
  readonly local: LocalNetworks;
  /** For service discovery: overlay networks on this node, their endpoints and services. */
  readonly overlays: OverlayStateReader;
  private readonly core: NetworkCore;
  private readonly endpoints: Endpoints;
  private readonly dns: NetworkDnsServers;
  /** DNS on the overlays' gateways and VIP rules in the containers' namespaces. */
  private readonly discovery: ServiceDiscovery;
  private unsubscribeDiscovery?: () => void;
  private lock?: HeldLock;

  constructor(opts: NetworkOptions) {
    const core = new NetworkCore(opts);
    const endpoints = new Endpoints(core);
    const catalog = new NetworkCatalog(core);
    this.core = core;
    this.endpoints = endpoints;
    this.dns = new NetworkDnsServers(core);
    this.attachments = new ContainerAttachments(core, endpoints, catalog);
    this.local = new LocalNetworks(core, endpoints, catalog, this.dns);
    this.provisioning = new TaskNetworks(core, this.local);
    this.cluster = new ClusterNetworkState(core);
    this.overlays = core.overlay;
    this.discovery = new ServiceDiscovery({
      overlay: core.overlay,
      upstreams: () => core.upstreams(),
      // A task's own dns servers, as Docker's embedded DNS forwards to the container's --dns.
      upstreamsOf: (ip) => core.overlayUpstreamsOf(ip),
      log: core.log.child({ part: 'discovery' }),
      dnsPort: opts.dnsPort,
    });
  }

  /**
   * Takes the state lock, refuses a node subnet another interface routes, then brings up bridges,
   * rules and DNS for what was persisted. @throws NETWORK_STATE_LOCKED, NODE_SUBNET_IN_USE
   */
  async start(): Promise<void> {
    const { core } = this;
    await mkdir(core.dir, { recursive: true });
    await this.takeLock();
    try {
      core.state = await core.stateFile.load();
      // Containers attached to the default bridge keep the subnet they got their addresses from.
      const stored = core.state.nodeSubnet;
      if (stored && (core.opts.preferStoredSubnet || core.defaultEndpointCount() > 0))
        core.nodeSubnet = stored;
      core.state.nodeSubnet = core.nodeSubnet;
      // A peer route over our own subnet (persisted before setPeerRoutes left those out) took the
      // place of the bridge's route: it goes, and ensureBridge puts the bridge's route back.
      const { routable, overlapping } = splitPeerRoutes(core.nodeSubnet, core.state.peerRoutes);
      for (const r of overlapping) {
        core.log.warn(
          { subnet: r.subnet, via: r.via },
          'removing a peer route over this node’s subnet',
        );
        await deleteRoute(r.subnet, r.via);
      }
      core.state.peerRoutes = routable;
      // Before anything is made: a second bridge on a routed subnet breaks both (published ports
      // time out), so a clash is refused naming the interface.
      const peers = core.state.peerRoutes.map((r) => r.subnet);
      await assertNodeSubnetFree(core.nodeSubnet, core.bridgeName, peers);
      if (core.opts.enableIpForward ?? true) await setSysctl('net/ipv4/ip_forward', '1');
      for (const n of core.allNetworks()) await core.driver(n).up(n);
      // Overlay devices survive an agent restart; this re-checks them and their entries against
      // the description the manager last sent (persisted), until it sends a fresh one.
      core.overlay.load();
      for (const n of [...core.overlay.records()])
        await core.overlay
          .up(n)
          .catch((err) => core.log.warn({ err, network: n.name }, 'overlay network not restored'));
      for (const e of core.state.endpoints)
        if (e.ports.length) await core.ports.adopt(e.containerId, e.name, e.ports);
      for (const r of core.state.peerRoutes) await replaceRoute(r.subnet, r.via);
      await core.applyRules();
      for (const n of core.state.networks) await this.dns.start(n);
      await this.discovery.start();
      // A network's DNS server binds its gateway once the bridge carries it: after each change.
      this.unsubscribeDiscovery = core.overlay.subscribe(() => {
        this.discovery
          .networksUp()
          .catch((err: unknown) => core.log.warn({ err }, 'overlay DNS not started'));
      });
    } catch (err) {
      await this.discovery.stop().catch(() => undefined);
      await this.dns.stopAll();
      core.ports.releaseAll();
      await this.releaseLock();
      throw err;
    }
    core.log.info({ subnet: core.nodeSubnet, bridge: core.bridgeName }, 'network started');
  }

  /** Stops DNS and lets go of held ports; kernel state stays so containers keep working. */
  async stop(): Promise<void> {
    this.unsubscribeDiscovery?.();
    await this.discovery.stop();
    await this.core.run(async () => {
      await this.dns.stopAll();
      this.core.ports.releaseAll();
      await this.releaseLock();
    });
  }

  /** Removes everything this instance created: endpoints, bridges, chains, routes (tests, uninstall). */
  async teardown(): Promise<void> {
    const { core } = this;
    this.unsubscribeDiscovery?.();
    await this.discovery.stop();
    await core.run(async () => {
      for (const e of [...core.state.endpoints]) await this.endpoints.remove(e);
      core.state.endpoints = [];
      await this.dns.stopAll();
      for (const n of core.state.networks) {
        await core.driver(n).down(n);
        await core.ipam.dropNetwork(n.name);
      }
      await core.ipam.dropNetwork(BUILTIN_BRIDGE);
      core.state.networks = [];
      for (const n of [...core.overlay.records()]) await core.overlay.down(n);
      await core.overlay.xfrm.clear();
      for (const r of core.state.peerRoutes) await deleteRoute(r.subnet, r.via);
      core.state.peerRoutes = [];
      await restoreLoopbackOut(core.state.loopbackOut ?? []);
      core.state.loopbackOut = [];
      const bridge = core.defaultNetwork();
      await core.driver(bridge).down(bridge);
      await core.rules.remove();
      core.ports.releaseAll();
      await core.save();
      await this.releaseLock();
    });
  }

  /** One agent per data root: a kernel lock on <dataRoot>/network/lock, gone with its holder. */
  private async takeLock(): Promise<void> {
    const r = await tryExclusiveLock(join(this.core.dir, 'lock'));
    if (!r.held)
      throw new FlotillaError('NETWORK_STATE_LOCKED', {
        dir: this.core.dir,
        pid: r.pid || 'unknown',
      });
    this.lock = r.lock;
  }

  private async releaseLock(): Promise<void> {
    await this.lock?.release();
    this.lock = undefined;
  }
}
