// The kernel objects of the overlay data plane, through ip(8) and bridge(8): per network a bridge
// with the gateway address and a VXLAN device enslaved to it, forwarding and neighbour entries on
// the VXLAN device (one batch per apply), and veths with derived MACs. Commands go through an
// injected Exec so tests can run them inside another network namespace (a simulated machine).
import { randomBytes } from 'node:crypto';
import type { RunOptions, RunResult } from '../exec.js';
import { vxlanPort } from './names.js';

export type Exec = (cmd: string, args: string[], opts?: RunOptions) => Promise<RunResult>;

export interface OverlayDevices {
  bridge: string;
  vxlan: string;
  vni: number;
  /** This node's underlay address (VXLAN source). */
  local: string;
  mtu: number;
  /** Gateway address with prefix, e.g. 10.0.9.1/24. */
  gatewayCidr: string;
}

/** A remote endpoint as the VXLAN device knows it. */
export interface RemoteEntry {
  ip: string;
  mac: string;
  /** Underlay address of the node it runs on. */
  dst: string;
}

export interface OverlayVeth {
  netns: string;
  hostVeth: string;
  ifName: string;
  bridge: string;
  cidr: string;
  mac: string;
  mtu: number;
}

export class OverlayKernel {
  constructor(private readonly exec: Exec) {}

  private async ip(...args: string[]): Promise<string> {
    return (await this.exec('ip', args)).stdout;
  }

  async linkExists(name: string): Promise<boolean> {
    return (
      (await this.exec('ip', ['link', 'show', 'dev', name], { allowFailure: true })).code === 0
    );
  }

  /** Idempotent: creates what is missing and (re)sets address, MTU and state. */
  async ensureDevices(d: OverlayDevices): Promise<void> {
    if (!(await this.linkExists(d.bridge))) {
      await this.ip('link', 'add', 'name', d.bridge, 'type', 'bridge');
      // A fixed, random MAC: otherwise the bridge takes its lowest port's, and the gateway's MAC
      // in the containers' ARP caches would change as veths come and go.
      await this.ip('link', 'set', d.bridge, 'address', randomMac());
    }
    await this.ip('link', 'set', d.bridge, 'mtu', String(d.mtu));
    await this.ip('addr', 'replace', d.gatewayCidr, 'dev', d.bridge);
    if (!(await this.linkExists(d.vxlan))) {
      // nolearning: entries come only from the manager's endpoint list; proxy: the device answers
      // ARP from its neighbour table, so ARP never crosses the underlay. No all-zero entry: no
      // flooding.
      await this.ip(
        'link',
        'add',
        d.vxlan,
        'mtu',
        String(d.mtu),
        'type',
        'vxlan',
        'id',
        String(d.vni),
        'dstport',
        String(vxlanPort),
        'local',
        d.local,
        'nolearning',
        'proxy',
      );
    }
    await this.ip('link', 'set', d.vxlan, 'mtu', String(d.mtu));
    await this.ip('link', 'set', d.vxlan, 'master', d.bridge);
    await this.ip('link', 'set', d.vxlan, 'up');
    await this.ip('link', 'set', d.bridge, 'up');
  }

  async deleteLink(name: string): Promise<void> {
    await this.exec('ip', ['link', 'del', 'dev', name], { allowFailure: true });
  }

  /**
   * Removes `remove` and adds `add` on `vxlan`: forwarding entries (MAC → node) and permanent
   * neighbour entries (IP → MAC). Two processes however many entries; deletes of entries already
   * gone are ignored (-force).
   */
  async program(vxlan: string, add: RemoteEntry[], remove: RemoteEntry[]): Promise<void> {
    if (add.length === 0 && remove.length === 0) return;
    const fdb = [
      ...remove.map((e) => `fdb del ${e.mac} dev ${vxlan} dst ${e.dst}`),
      ...add.map((e) => `fdb append ${e.mac} dev ${vxlan} dst ${e.dst}`),
    ];
    const neigh = [
      ...remove.map((e) => `neigh del ${e.ip} dev ${vxlan}`),
      ...add.map((e) => `neigh replace ${e.ip} lladdr ${e.mac} dev ${vxlan} nud permanent`),
    ];
    // Forwarding first: a neighbour entry must never point at a MAC the device cannot send to.
    await this.exec('bridge', ['-force', '-batch', '-'], {
      input: fdb.join('\n') + '\n',
      allowFailure: true,
    });
    await this.exec('ip', ['-force', '-batch', '-'], {
      input: neigh.join('\n') + '\n',
      allowFailure: true,
    });
  }

  /** The remote entries `vxlan` holds now (agent start: what an earlier run programmed). */
  async readEntries(vxlan: string): Promise<RemoteEntry[]> {
    const fdbRows = JSON.parse(
      (await this.exec('bridge', ['-j', 'fdb', 'show', 'dev', vxlan], { allowFailure: true }))
        .stdout || '[]',
    ) as { mac: string; dst?: string }[];
    const neighRows = JSON.parse(
      (await this.exec('ip', ['-j', 'neigh', 'show', 'dev', vxlan], { allowFailure: true }))
        .stdout || '[]',
    ) as { dst: string; lladdr?: string }[];
    const dstOf = new Map(fdbRows.filter((r) => r.dst).map((r) => [r.mac, r.dst!]));
    return neighRows
      .filter((n) => n.lladdr && dstOf.has(n.lladdr))
      .map((n) => ({ ip: n.dst, mac: n.lladdr!, dst: dstOf.get(n.lladdr!)! }));
  }

  /** MTU of the interface that holds `addr` (the underlay); 1500 when none does. */
  async underlayMtu(addr: string): Promise<number> {
    const rows = JSON.parse(
      (await this.exec('ip', ['-j', '-4', 'addr', 'show'], { allowFailure: true })).stdout || '[]',
    ) as { mtu: number; addr_info?: { local: string }[] }[];
    return rows.find((r) => r.addr_info?.some((a) => a.local === addr))?.mtu ?? 1500;
  }

  /** A veth whose container end carries the derived MAC and the overlay's MTU. */
  async plugVeth(v: OverlayVeth): Promise<void> {
    await this.deleteLink(v.hostVeth);
    await this.ip(
      'link',
      'add',
      v.hostVeth,
      'mtu',
      String(v.mtu),
      'type',
      'veth',
      'peer',
      'name',
      v.ifName,
      'mtu',
      String(v.mtu),
      'address',
      v.mac,
      'netns',
      v.netns,
    );
    await this.ip('link', 'set', v.hostVeth, 'master', v.bridge);
    await this.ip('link', 'set', v.hostVeth, 'up');
    await this.ip('-n', v.netns, 'addr', 'add', v.cidr, 'dev', v.ifName);
    await this.ip('-n', v.netns, 'link', 'set', v.ifName, 'up');
  }

  async listLinks(): Promise<string[]> {
    const out = await this.ip('-o', 'link', 'show');
    return out
      .split('\n')
      .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
      .filter((n): n is string => Boolean(n));
  }
}

/** Locally administered, unicast, and never 02:42:… (the endpoints' scheme). */
function randomMac(): string {
  const b = randomBytes(6);
  b[0] = 0x06;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}
