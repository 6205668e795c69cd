// The runtime's side of the network (NetworkAttacher): one endpoint per container — a namespace,
// an address and published ports — made at start, its ports withdrawn before the stop signal,
// removed at exit, and reconciled with the live containers when the agent starts.
import { FlotillaError } from '../../shared/errors/index.js';
import type { NetworkCatalog } from './catalog.js';
import { BUILTIN_BRIDGE, type NetworkCore } from './core.js';
import type { Endpoints } from './endpoints.js';
import { forgetConnectionsTo } from './host/conntrack.js';
import { createNetns, deleteLink, deleteNetns, listLinks, listNetns } from './host/links.js';
import { overlayDeviceNames, overlayLinkPattern } from './overlay/names.js';
import type { EndpointRecord, InterfaceRecord, NetworkRecord } from './state.js';
import type {
  NetworkAttacher,
  NetworkAttachment,
  NetworkInfo,
  NetworkRequest,
  PortBinding,
} from './types.js';

export class ContainerAttachments implements NetworkAttacher {
  constructor(
    private readonly core: NetworkCore,
    private readonly endpoints: Endpoints,
    private readonly catalog: NetworkCatalog,
  ) {}

  async attach(req: NetworkRequest): Promise<NetworkAttachment> {
    const { core, endpoints } = this;
    const step = await core.run(async (): Promise<AttachStep> => {
      const existing = core.endpoint(req.containerId);
      if (existing) return { done: endpoints.attachmentOf(existing) };
      const mode = req.mode || BUILTIN_BRIDGE;
      if (mode === 'host') {
        const e: EndpointRecord = { ...base(req), mode: 'host', interfaces: [], ports: [] };
        await endpoints.record(e);
        return { done: endpoints.attachmentOf(e) };
      }
      if (mode.startsWith('container:'))
        return { done: await this.joinContainer(req, mode.slice(10)) };
      if (mode === 'none' && req.overlays?.length) return { done: await this.overlayOnly(req) };
      if (mode === 'none') return { done: await this.isolated(req) };
      const net = core.network(mode === 'default' ? BUILTIN_BRIDGE : mode);
      // Ports first: a taken port must refuse the container before anything exists.
      const granted = await core.ports.reserve(req.containerId, req.name, req.ports);
      const e: EndpointRecord = {
        ...base(req),
        mode: net.name === BUILTIN_BRIDGE ? 'bridge' : 'network',
        netns: core.netnsName(req.containerId),
        interfaces: [],
        ports: granted,
        portNetwork: net.name,
      };
      await endpoints.record(e);
      try {
        const aliases = net.name === BUILTIN_BRIDGE ? [] : req.aliases;
        const iface = await endpoints.reserveInterface(e, net, aliases, undefined, req.ipv4Address);
        return { e, net, iface };
      } catch (err) {
        await endpoints.remove(e);
        throw err;
      }
    });
    if ('done' in step) return step.done;
    const { e, net, iface } = step;
    // The namespace and the veth are this container's alone: made outside the mutex, so many
    // containers starting at once do their `ip` runs side by side instead of in a queue.
    const plugged = await createNetns(e.netns!)
      .then(() => endpoints.plugInterface(e, net, iface))
      .then(
        () => undefined,
        (err: unknown) => ({ err }),
      );
    return core.run(async () => {
      try {
        if (plugged) throw plugged.err;
        await this.plugExtraNetworks(e, req);
        await this.plugOverlays(e, req);
        await core.save();
        await core.applyRules();
      } catch (err) {
        await endpoints.remove(e);
        await core.applyRules().catch(() => {});
        throw err;
      }
      core.log.info(
        {
          containerId: req.containerId,
          network: net.name,
          ipv4: e.interfaces[0]?.ipv4,
          ports: e.ports.length,
        },
        'container attached',
      );
      return endpoints.attachmentOf(e);
    });
  }

  /**
   * Removes the container's port rules while it still runs, before it is sent its stop signal:
   * new connections to its ports are refused at once instead of reaching a process that is
   * shutting down, and flows already established finish (their conntrack entries stay). The
   * host ports stay held until detach.
   */
  async withdrawPorts(containerId: string): Promise<void> {
    const { core } = this;
    // Nothing to withdraw (most task containers): answer without queueing behind the mutex, where
    // the starts and removals of other containers wait. Ports are only set at attach.
    const known = core.endpoint(containerId);
    if (!known || known.ports.length === 0 || known.portsWithdrawn) return;
    await core.run(async () => {
      const e = core.endpoint(containerId);
      if (!e || e.ports.length === 0 || e.portsWithdrawn) return;
      e.portsWithdrawn = true;
      await core.save();
      await core.applyRules();
      core.log.info({ containerId }, 'ports withdrawn before stop');
    });
  }

  async detach(containerId: string): Promise<void> {
    const { core } = this;
    const gone = await core.run(async () => {
      const e = core.endpoint(containerId);
      if (!e) return undefined;
      // Rules first, while the address still answers (refused), then the flows the kernel
      // remembers towards it; only then the address goes. Deleting the interface first would let
      // a SYN be translated to an address nobody answers at, and its retransmissions would keep
      // following that entry (a hang of up to two minutes rather than a refusal).
      if (e.ports.length > 0) {
        if (!e.portsWithdrawn) {
          e.portsWithdrawn = true;
          await core.applyRules();
        }
        for (const i of e.interfaces) await forgetConnectionsTo(i.ipv4, core.log);
      }
      const bridged = await this.endpoints.forget(e);
      await core.applyRules();
      return { e, bridged };
    });
    if (!gone) return;
    // Outside the mutex: only this container's veths and namespace, then their addresses.
    await this.endpoints.deleteKernelObjects(gone.e, gone.bridged);
    core.log.info({ containerId }, 'container detached');
  }

  /**
   * Keeps endpoints of live containers (and re-holds their ports); removes everything else this
   * agent may have left behind: endpoints, namespaces and veths with our prefix, addresses.
   */
  async reconcile(liveContainerIds: Set<string>): Promise<void> {
    const { core } = this;
    await core.run(async () => {
      const namespaces = new Set(await listNetns());
      for (const e of [...core.state.endpoints]) {
        const live = liveContainerIds.has(e.containerId);
        const lostNetns = e.netns !== undefined && !namespaces.has(e.netns);
        if (live && !lostNetns) continue;
        if (live)
          core.log.warn(
            { containerId: e.containerId },
            'network namespace vanished, endpoint dropped',
          );
        await this.endpoints.remove(e);
      }
      const keepNs = new Set(core.state.endpoints.map((e) => e.netns).filter(Boolean));
      for (const ns of namespaces)
        if (isOurNetns(core.prefix, ns) && !keepNs.has(ns)) await deleteNetns(ns);
      const keepVeth = new Set(
        core.state.endpoints.flatMap((e) => e.interfaces.map((i) => i.hostVeth)),
      );
      const vethRe = vethPattern(core.prefix);
      const links = await listLinks();
      for (const l of links) if (vethRe.test(l) && !keepVeth.has(l)) await deleteLink(l);
      await this.reconcileOverlays(links);
      const released = await core.ipam.retain((network, ip, owner) =>
        Boolean(
          core.endpoint(owner)?.interfaces.some((i) => i.network === network && i.ipv4 === ip),
        ),
      );
      if (released.length) core.log.info({ released }, 'leaked addresses released');
      for (const e of core.state.endpoints)
        if (e.ports.length) await core.ports.adopt(e.containerId, e.name, e.ports);
      await core.save();
      await core.applyRules();
    });
  }

  /**
   * Overlay devices go with the last local container of their network: a record without one (the
   * containers died while the agent was away) is taken down, and devices of our naming that no
   * record owns (a network removed while this machine was away) are deleted.
   */
  private async reconcileOverlays(links: string[]): Promise<void> {
    const { overlay } = this.core;
    for (const n of [...overlay.records()])
      if (overlay.localEndpoints(n.id).length === 0) await overlay.down(n);
    const keep = new Set(
      overlay.records().flatMap((n) => Object.values(overlayDeviceNames(this.core.prefix, n.vni!))),
    );
    const ours = overlayLinkPattern(this.core.prefix);
    for (const l of links) if (ours.test(l) && !keep.has(l)) await deleteLink(l);
  }

  /** The runtime asks at `create`, so an unknown network fails there. @throws NETWORK_NOT_FOUND */
  inspectNetwork(nameOrId: string): NetworkInfo {
    return this.catalog.inspect(nameOrId);
  }

  /** Published ports of a container as granted (host ports filled in); [] when none. */
  portsOf(containerId: string): PortBinding[] {
    return this.core.endpoint(containerId)?.ports.map((p) => ({ ...p })) ?? [];
  }

  /** The attachment of a container, or undefined when it is not attached. */
  attachmentFor(containerId: string): NetworkAttachment | undefined {
    const e = this.core.endpoint(containerId);
    return e ? this.endpoints.attachmentOf(e) : undefined;
  }

  /**
   * eth1… on each further local network of the container (`run --network a --network b`), as
   * `network connect` adds them. Callers remove the endpoint when this throws.
   */
  private async plugExtraNetworks(e: EndpointRecord, req: NetworkRequest): Promise<void> {
    for (const x of req.extraNetworks ?? []) {
      const net = this.core.network(x.network);
      if (e.interfaces.some((i) => i.network === net.name))
        throw new FlotillaError('ENDPOINT_EXISTS', { container: req.name, network: net.name });
      const aliases = net.name === BUILTIN_BRIDGE ? [] : (x.aliases ?? []);
      const iface = await this.endpoints.reserveInterface(
        e,
        net,
        aliases,
        undefined,
        x.ipv4Address,
      );
      await this.endpoints.plugInterface(e, net, iface);
    }
  }

  /**
   * eth1… on each cluster network of the task, with the manager's addresses; the network's
   * devices are made on first use. Callers remove the endpoint when this throws.
   */
  private async plugOverlays(e: EndpointRecord, req: NetworkRequest): Promise<void> {
    for (const a of req.overlays ?? []) {
      const net = await this.core.overlay.ensureNetwork(a);
      await this.endpoints.addInterface(e, net, a.aliases, a.address);
    }
  }

  /**
   * A task whose networks are all internal and that publishes no port: only its overlay
   * interfaces (eth0 …), no default route, so nothing leaves the cluster (Docker attaches such a
   * container to no gateway bridge either).
   */
  private async overlayOnly(req: NetworkRequest): Promise<NetworkAttachment> {
    const { core, endpoints } = this;
    const e: EndpointRecord = {
      ...base(req),
      mode: 'network',
      netns: core.netnsName(req.containerId),
      interfaces: [],
      ports: [],
    };
    await endpoints.record(e);
    try {
      await createNetns(e.netns!);
      await this.plugOverlays(e, req);
      await core.save();
      await core.applyRules();
    } catch (err) {
      await endpoints.remove(e);
      await core.applyRules().catch(() => {});
      throw err;
    }
    core.log.info(
      { containerId: req.containerId, overlays: e.interfaces.length },
      'container attached to internal networks only',
    );
    return endpoints.attachmentOf(e);
  }

  /** `--network none`: a namespace with loopback only. */
  private async isolated(req: NetworkRequest): Promise<NetworkAttachment> {
    const e: EndpointRecord = {
      ...base(req),
      mode: 'none',
      netns: this.core.netnsName(req.containerId),
      interfaces: [],
      ports: [],
    };
    await this.endpoints.record(e);
    try {
      await createNetns(e.netns!);
    } catch (err) {
      await this.endpoints.remove(e);
      throw err;
    }
    return this.endpoints.attachmentOf(e);
  }

  private async joinContainer(req: NetworkRequest, ref: string): Promise<NetworkAttachment> {
    const { core, endpoints } = this;
    const target = core.endpointByRef(ref);
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
    const owner = target.mode === 'container' ? core.endpoint(target.joinedTo!)! : target;
    const e: EndpointRecord = {
      ...base(req),
      mode: 'container',
      joinedTo: owner.containerId,
      interfaces: [],
      ports: [],
    };
    await endpoints.record(e);
    return endpoints.attachmentOf(e);
  }
}

/** attach's first step: finished (no kernel plumbing of its own) or a reserved interface to plug. */
type AttachStep =
  { done: NetworkAttachment } | { e: EndpointRecord; net: NetworkRecord; iface: InterfaceRecord };

function base(req: NetworkRequest) {
  return {
    containerId: req.containerId,
    name: req.name,
    hostname: req.hostname,
    ...(req.dns?.length ? { dns: req.dns } : {}),
  };
}

/** Container namespaces are `<prefix>-<12 hex>` (core.netnsName). */
export function isOurNetns(prefix: string, ns: string): boolean {
  return ns.startsWith(`${prefix}-`) && /^[0-9a-f]{12}$/.test(ns.slice(prefix.length + 1));
}

/** Host ends of container veths: `<prefix><id…><n>`, 15 characters (endpoints.ts). */
export function vethPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}[0-9a-f]{${14 - prefix.length}}[0-9]$`);
}
