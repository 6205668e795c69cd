// The overlay data plane of this node: which overlay networks have devices here (those with a
// local container on them), the manager's description of each (endpoints, services, keys), and
// the kernel kept in step with both — one forwarding and neighbour entry per remote endpoint,
// changed incrementally, and ESP between nodes for encrypted networks. Callers serialise calls
// (the network core's mutex). Service discovery reads it through OverlayStateReader.
import { networkInterfaces } from 'node:os';
import type { Logger } from '../../../shared/log/index.js';
import { ESP_OVERHEAD, VXLAN_OVERHEAD } from '../../../shared/model/index.js';
import type { TaskNetworkAttachment } from '../../../shared/model/index.js';
import { parseSubnet } from '../ipam/cidr.js';
import type { NetworkRecord, PersistedState } from '../state.js';
import { OverlayKernel, type Exec, type RemoteEntry } from './kernel.js';
import { macFor, overlayDeviceNames } from './names.js';
import { OverlayInfoSet } from './set.js';
import type {
  LocalOverlayEndpoint,
  OverlayChangeInfo,
  OverlayNetworkInfo,
  OverlayStateChange,
  OverlayStateReader,
} from './state.js';
import { planXfrm, reqidFor, XfrmProgrammer } from './xfrm.js';

/** Where the fabric's persisted part lives (the network core's state file). */
export interface OverlayStore {
  state: PersistedState;
  save(): Promise<void>;
}

export interface OverlayFabricDeps {
  exec: Exec;
  /** The agent's kernel name prefix (defaults.ts namesFor). */
  prefix: string;
  /**
   * This node's underlay address: what it advertises to the manager (NodeDescription.addr).
   * @default the first non-loopback IPv4 address (as agent/session/description.ts picks it)
   */
  underlayAddr?: string;
  store: OverlayStore;
  log: Logger;
}

export class OverlayFabric implements OverlayStateReader {
  readonly kernel: OverlayKernel;
  readonly xfrm: XfrmProgrammer;
  private readonly infos = new OverlayInfoSet();
  /** Per network with devices here: the remote entries its VXLAN device holds, by address. */
  private readonly programmed = new Map<string, Map<string, RemoteEntry>>();
  private readonly listeners = new Set<(c: OverlayStateChange) => void>();

  constructor(private readonly deps: OverlayFabricDeps) {
    this.kernel = new OverlayKernel(deps.exec);
    this.xfrm = new XfrmProgrammer(deps.exec, () => this.underlay(), reqidFor(deps.prefix));
  }

  /** Takes the persisted description (agent start, before any `up`). */
  load(): void {
    this.infos.replace(this.deps.store.state.overlayInfo ?? []);
  }

  underlay(): string {
    return this.deps.underlayAddr || firstAddress();
  }

  /** Overlay networks with devices on this node. */
  records(): NetworkRecord[] {
    return (this.deps.store.state.overlayNetworks ??= []);
  }

  record(networkId: string): NetworkRecord | undefined {
    return this.records().find((n) => n.id === networkId);
  }

  // --- the manager's description (session) ---

  /** The complete set (session open): networks not in it lose their entries here. */
  async replace(networks: OverlayNetworkInfo[]): Promise<void> {
    await this.changed(this.infos.replace(networks));
    // A network the manager no longer lists for this node, with no container of ours on it:
    // leftovers of a network removed while this machine was away.
    for (const rec of [...this.records()])
      if (!this.infos.get(rec.id) && this.localEndpoints(rec.id).length === 0) await this.down(rec);
  }

  async apply(changes: OverlayChangeInfo[]): Promise<void> {
    const touched = this.infos.apply(changes);
    await this.changed(touched);
    for (const id of touched) {
      const rec = this.record(id);
      // The manager says this node left, but a container here is still on it (stopping, or the
      // two disagree): its remote entries are gone; the devices go with the last container.
      if (rec && !this.infos.get(id) && this.localEndpoints(id).length > 0)
        this.deps.log.warn(
          { network: rec.name },
          'overlay network removed while containers here still use it',
        );
    }
  }

  private async changed(networkIds: string[]): Promise<void> {
    this.deps.store.state.overlayInfo = this.infos.list().map((n) => ({ ...n, keys: [] }));
    await this.deps.store.save();
    for (const id of networkIds) await this.syncEntries(id);
    await this.syncXfrm();
    this.notify(networkIds);
  }

  // --- devices (the driver seam) ---

  /** The record of a task's network, made (and its devices brought up) on first use. */
  async ensureNetwork(a: TaskNetworkAttachment): Promise<NetworkRecord> {
    const existing = this.record(a.networkId);
    if (existing) return existing;
    const names = overlayDeviceNames(this.deps.prefix, a.vni);
    const rec: NetworkRecord = {
      id: a.networkId,
      name: a.name,
      driver: 'overlay',
      subnet: a.subnet,
      gateway: a.gateway,
      bridge: names.bridge,
      vni: a.vni,
      internal: a.internal,
      encrypted: a.encrypted,
      createdAt: new Date().toISOString(),
      labels: {},
    };
    if (rec.encrypted) await this.xfrm.assertSupported(rec.name);
    // Recorded before the devices exist, so reconcile and cleanup can always find them.
    this.records().push(rec);
    await this.deps.store.save();
    try {
      await this.up(rec);
    } catch (err) {
      await this.down(rec);
      throw err;
    }
    return rec;
  }

  /** Bridge, VXLAN device and every remote entry; idempotent (agent start re-runs it). */
  async up(net: NetworkRecord): Promise<void> {
    if (net.encrypted) await this.xfrm.assertSupported(net.name);
    const local = this.underlay();
    const overhead = VXLAN_OVERHEAD + (net.encrypted ? ESP_OVERHEAD : 0);
    net.mtu = (await this.kernel.underlayMtu(local)) - overhead;
    const names = overlayDeviceNames(this.deps.prefix, net.vni!);
    await this.kernel.ensureDevices({
      ...names,
      vni: net.vni!,
      local,
      mtu: net.mtu,
      gatewayCidr: `${net.gateway}/${parseSubnet(net.subnet).prefix}`,
    });
    if (!this.programmed.has(net.id)) {
      const held = await this.kernel.readEntries(names.vxlan);
      this.programmed.set(net.id, new Map(held.map((e) => [e.ip, e])));
    }
    await this.syncEntries(net.id);
    await this.syncXfrm();
  }

  /** Devices, entries and ESP of `net` go; its record too. Ignores "already gone". */
  async down(net: NetworkRecord): Promise<void> {
    const names = overlayDeviceNames(this.deps.prefix, net.vni!);
    await this.kernel.deleteLink(names.vxlan);
    await this.kernel.deleteLink(names.bridge);
    this.programmed.delete(net.id);
    const st = this.deps.store.state;
    st.overlayNetworks = this.records().filter((n) => n.id !== net.id);
    await this.deps.store.save();
    await this.syncXfrm();
    this.notify([net.id]);
  }

  /** After an interface left `networkId`: the devices go with the last local container. */
  async releaseIfUnused(networkId: string): Promise<void> {
    const rec = this.record(networkId);
    if (rec && this.localEndpoints(networkId).length === 0) await this.down(rec);
    else this.notify([networkId]);
  }

  // --- OverlayStateReader ---

  networks(): OverlayNetworkInfo[] {
    return this.infos.list().map((n) => structuredClone({ ...n, keys: [] }));
  }

  network(networkId: string): OverlayNetworkInfo | undefined {
    const n = this.infos.get(networkId);
    return n ? structuredClone({ ...n, keys: [] }) : undefined;
  }

  localEndpoints(networkId: string): LocalOverlayEndpoint[] {
    return this.deps.store.state.endpoints.flatMap((e) =>
      e.interfaces
        .filter((i) => i.networkId === networkId && e.netns)
        .map((i) => ({
          containerId: e.containerId,
          netns: e.netns!,
          ifName: i.ifName,
          address: i.ipv4,
        })),
    );
  }

  subscribe(listener: (change: OverlayStateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(networkIds: string[]): void {
    for (const l of this.listeners) {
      try {
        l({ networkIds });
      } catch (err) {
        this.deps.log.warn({ err }, 'overlay state listener failed');
      }
    }
  }

  // --- kernel sync ---

  /** Makes the VXLAN device of `networkId` hold exactly its remote endpoints (a diff, no flush). */
  private async syncEntries(networkId: string): Promise<void> {
    const held = this.programmed.get(networkId);
    const rec = this.record(networkId);
    if (!held || !rec) return;
    const local = this.underlay();
    const want = new Map<string, RemoteEntry>();
    for (const e of this.infos.get(networkId)?.endpoints ?? [])
      if (e.nodeAddr && e.nodeAddr !== local)
        want.set(e.address, { ip: e.address, mac: macFor(e.address), dst: e.nodeAddr });
    const add: RemoteEntry[] = [];
    const remove: RemoteEntry[] = [];
    for (const [ip, e] of held) {
      const w = want.get(ip);
      if (!w || w.dst !== e.dst) remove.push(e);
    }
    for (const [ip, w] of want) if (held.get(ip)?.dst !== w.dst) add.push(w);
    if (add.length === 0 && remove.length === 0) return;
    await this.kernel.program(overlayDeviceNames(this.deps.prefix, rec.vni!).vxlan, add, remove);
    for (const e of remove) held.delete(e.ip);
    for (const e of add) held.set(e.ip, e);
    this.deps.log.debug(
      { network: rec.name, added: add.length, removed: remove.length },
      'overlay entries applied',
    );
  }

  /**
   * ESP for every encrypted network with devices here. While one of them has no keys yet (agent
   * restarted, manager not heard from) the kernel keeps what it has: traffic stays encrypted.
   */
  private async syncXfrm(): Promise<void> {
    const local = this.underlay();
    const nets = this.records()
      .filter((r) => r.encrypted && this.programmed.has(r.id))
      .map((r) => {
        const info = this.infos.get(r.id);
        const peers = new Set(
          (info?.endpoints ?? []).map((e) => e.nodeAddr).filter((a) => a && a !== local),
        );
        return { vni: r.vni!, keys: info?.keys ?? [], peers: [...peers] };
      });
    if (nets.some((n) => n.keys.length === 0)) return;
    await this.xfrm.apply(planXfrm(local, nets));
  }
}

function firstAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}
