// `--opt encrypted`: ESP in transport mode (kernel xfrm) on the VXLAN traffic between this node's
// underlay address and each peer's. Per direction and key one SA whose SPI and key are derived
// from the network's key with HKDF, so both ends agree without talking and no two SAs share a
// key (AES-GCM must never reuse a nonce under one key). Every listed key is accepted inbound; the
// newest sends. Keys travel only through stdin of `ip -batch`, never on a command line or disk.
import { createHash, hkdfSync } from 'node:crypto';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Exec } from './kernel.js';
import { vxlanPort } from './names.js';
import type { OverlayKeyInfo } from './state.js';

export interface EncryptedNetwork {
  vni: number;
  keys: OverlayKeyInfo[];
  /** Underlay addresses of the other nodes with endpoints on the network. */
  peers: string[];
}

export interface XfrmSa {
  src: string;
  dst: string;
  spi: number;
  /** 32-byte AES key + 4-byte salt, hex. Secret. */
  keyHex: string;
}

export interface XfrmPlan {
  states: XfrmSa[];
  /** Per peer: the SPI of the SA outbound traffic to it uses. */
  out: Map<string, number>;
}

const aead = 'rfc4106(gcm(aes))';

/** SPI of the SA for `src` → `dst` under key `spi` of network `vni` (≥ 256: lower ones are reserved). */
export function spiFor(vni: number, keySpi: number, src: string, dst: string): number {
  const h = createHash('sha256').update(`${vni}|${keySpi}|${src}|${dst}`).digest();
  return 0x100 + (h.readUInt32BE(0) % (0xffffffff - 0x100));
}

export function keyFor(key: Buffer, vni: number, spi: number, src: string, dst: string): string {
  const info = `flotilla-overlay|${vni}|${spi}|${src}|${dst}`;
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 36)).toString('hex');
}

/**
 * What the kernel should hold for `nets` (encrypted networks with devices here). A peer shared by
 * several encrypted networks is sent to with the lowest VNI's newest key (one policy per pair of
 * addresses: the VNI is not visible to the selector); it accepts every network's keys.
 */
export function planXfrm(local: string, nets: EncryptedNetwork[]): XfrmPlan {
  const states = new Map<string, XfrmSa>();
  const out = new Map<string, number>();
  const add = (sa: XfrmSa) => states.set(`${sa.src}>${sa.dst}#${sa.spi}`, sa);
  for (const n of [...nets].sort((a, b) => a.vni - b.vni)) {
    const keys = [...n.keys].sort((a, b) => a.generation - b.generation);
    const newest = keys.at(-1);
    if (!newest) continue;
    for (const peer of n.peers) {
      for (const k of keys) {
        const spi = spiFor(n.vni, k.spi, peer, local);
        add({ src: peer, dst: local, spi, keyHex: keyFor(k.key, n.vni, spi, peer, local) });
      }
      const spi = spiFor(n.vni, newest.spi, local, peer);
      add({ src: local, dst: peer, spi, keyHex: keyFor(newest.key, n.vni, spi, local, peer) });
      if (!out.has(peer)) out.set(peer, spi);
    }
  }
  return { states: [...states.values()], out };
}

const hex = (spi: number) => `0x${spi.toString(16).padStart(8, '0')}`;
const saKey = (sa: { src: string; dst: string; spi: number }) => `${sa.src}>${sa.dst}#${sa.spi}`;

/** Keeps the kernel's xfrm states and policies of this agent (marked by `reqid`) at a plan. */
export class XfrmProgrammer {
  private states = new Map<string, XfrmSa>();
  /** Outbound policies in place: peer → the SA's SPI and the local address it was made from. */
  private out = new Map<string, { spi: number; src: string }>();
  private loaded = false;
  private support?: Promise<boolean>;

  constructor(
    private readonly exec: Exec,
    private readonly local: () => string,
    readonly reqid: number,
  ) {}

  /** Whether this kernel can do ESP with AES-GCM (CONFIG_INET_ESP, CONFIG_CRYPTO_GCM); probed once. */
  supported(): Promise<boolean> {
    this.support ??= (async () => {
      const id = `src 192.0.2.1 dst 192.0.2.2 proto esp spi ${hex(0x100)}`;
      const r = await this.batch([
        `xfrm state add ${id} reqid ${this.reqid} mode transport aead ${aead} 0x${'00'.repeat(36)} 128`,
      ]);
      await this.batch([`xfrm state delete ${id}`]);
      return r.code === 0;
    })();
    return this.support;
  }

  /** @throws OVERLAY_ENCRYPTION_UNAVAILABLE when the kernel has no ESP/AES-GCM. */
  async assertSupported(network: string): Promise<void> {
    if (!(await this.supported()))
      throw new FlotillaError('OVERLAY_ENCRYPTION_UNAVAILABLE', { network });
  }

  async apply(plan: XfrmPlan): Promise<void> {
    if (!this.loaded) await this.load();
    const local = this.local();
    const want = new Map(plan.states.map((s) => [saKey(s), s]));
    const lines: string[] = [];
    // New SAs first, then the policies that use them, then what is no longer wanted: a rotation
    // never leaves a moment without a usable SA.
    for (const [k, s] of want)
      if (!this.states.has(k)) {
        const sa = `src ${s.src} dst ${s.dst} proto esp spi ${hex(s.spi)} reqid ${this.reqid} mode transport aead ${aead} 0x${s.keyHex} 128`;
        lines.push(`xfrm state add ${sa}`, `xfrm state update ${sa}`);
      }
    for (const [peer, spi] of plan.out) {
      if (this.out.get(peer)?.spi === spi) continue;
      lines.push(
        `xfrm policy update ${sel(local, peer)} dir out tmpl src ${local} dst ${peer} proto esp spi ${hex(spi)} reqid ${this.reqid} mode transport`,
      );
      if (!this.out.has(peer))
        lines.push(
          `xfrm policy update ${sel(peer, local)} dir in tmpl src ${peer} dst ${local} proto esp reqid ${this.reqid} mode transport`,
        );
    }
    for (const [peer, { src }] of this.out)
      if (!plan.out.has(peer))
        lines.push(
          `xfrm policy delete ${sel(src, peer)} dir out`,
          `xfrm policy delete ${sel(peer, src)} dir in`,
        );
    for (const [k, s] of this.states)
      if (!want.has(k))
        lines.push(`xfrm state delete src ${s.src} dst ${s.dst} proto esp spi ${hex(s.spi)}`);
    await this.batch(lines);
    this.states = want;
    this.out = new Map([...plan.out].map(([peer, spi]) => [peer, { spi, src: local }]));
  }

  /** Removes every state and policy of ours (last encrypted network gone, cleanup). */
  async clear(): Promise<void> {
    await this.apply({ states: [], out: new Map() });
  }

  /** What an earlier run of this agent left in the kernel (its keys are not read). */
  private async load(): Promise<void> {
    this.loaded = true;
    const st = (
      await this.exec('ip', ['xfrm', 'state', 'list', 'nokeys', 'reqid', String(this.reqid)], {
        allowFailure: true,
      })
    ).stdout;
    for (const m of st.matchAll(/src (\S+) dst (\S+)\s+proto esp spi (0x[0-9a-f]+)/g)) {
      const sa = { src: m[1], dst: m[2], spi: Number(m[3]), keyHex: '' };
      this.states.set(saKey(sa), sa);
    }
    const pol = (await this.exec('ip', ['xfrm', 'policy', 'list'], { allowFailure: true })).stdout;
    for (const block of pol.split(/\n(?=src )/)) {
      const m =
        /^src (\S+)\/32 dst (\S+)\/32 proto udp .*dport 4789[\s\S]*dir out[\s\S]*spi (0x[0-9a-f]+) reqid (\d+)/.exec(
          block,
        );
      if (m && Number(m[4]) === this.reqid) this.out.set(m[2], { spi: Number(m[3]), src: m[1] });
    }
  }

  private batch(lines: string[]) {
    if (lines.length === 0) return Promise.resolve({ code: 0, stdout: '', stderr: '' });
    return this.exec('ip', ['-force', '-batch', '-'], {
      input: lines.join('\n') + '\n',
      allowFailure: true,
    });
  }
}

function sel(src: string, dst: string): string {
  return `src ${src}/32 dst ${dst}/32 proto udp dport ${vxlanPort}`;
}

/** The reqid that marks one agent's SAs: derived from its name prefix (stable across restarts). */
export function reqidFor(prefix: string): number {
  return 0x10000 + (createHash('sha256').update(prefix).digest().readUInt16BE(0) % 0xf000);
}
