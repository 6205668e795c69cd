// Host ports of published bindings: who holds which, conflict checks, random picks from the
// ephemeral range. Each granted port is held by a socket bound in the agent, so a host process
// cannot take it later (DNAT sees the packets first, so the held socket never receives any).
import { createServer, type Server } from 'node:net';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { PortBinding } from '../types.js';

interface Grant {
  containerId: string;
  holderName: string;
  binding: PortBinding;
  socket?: Server | Socket;
}

type BindOutcome = { ok: true; socket: Server | Socket } | { ok: false; code: string };

/** Reads ip_local_port_range; falls back to Docker's 49153-65535 when it cannot be read. */
export function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (lo > 0 && hi >= lo) return [lo, hi];
  } catch {}
  return [49153, 65535];
}

function reservedPorts(): Set<number> {
  const out = new Set<number>();
  try {
    const text = readFileSync('/proc/sys/net/ipv4/ip_local_reserved_ports', 'utf8').trim();
    for (const part of text.split(',').filter(Boolean)) {
      const [a, b] = part.split('-').map(Number);
      for (let p = a; p <= (b ?? a); p++) out.add(p);
    }
  } catch {}
  return out;
}

function bindHold(b: PortBinding): Promise<BindOutcome> {
  const host = b.hostIp || '0.0.0.0';
  return new Promise((resolve) => {
    if (b.protocol === 'udp') {
      const s = createSocket({ type: 'udp4' });
      s.once('error', (err: NodeJS.ErrnoException) => {
        s.close();
        resolve({ ok: false, code: err.code ?? 'EUNKNOWN' });
      });
      s.bind({ port: b.hostPort, address: host, exclusive: true }, () => {
        s.removeAllListeners('error');
        s.on('error', () => {});
        s.unref();
        resolve({ ok: true, socket: s });
      });
      return;
    }
    const srv = createServer((conn) => conn.destroy());
    srv.once('error', (err: NodeJS.ErrnoException) =>
      resolve({ ok: false, code: err.code ?? 'EUNKNOWN' }),
    );
    srv.listen({ port: b.hostPort, host, exclusive: true, backlog: 1 }, () => {
      srv.removeAllListeners('error');
      srv.on('error', () => {});
      srv.unref();
      resolve({ ok: true, socket: srv });
    });
  });
}

function closeHold(s: Server | Socket | undefined): void {
  if (!s) return;
  try {
    s.close();
  } catch {}
}

/** '0.0.0.0' means every address, like ''; numbers must be real ports. */
function normalise(b: PortBinding): PortBinding {
  const value = `${b.hostIp}:${b.hostPort}:${b.containerPort}/${b.protocol}`;
  if (b.protocol !== 'tcp' && b.protocol !== 'udp')
    throw new FlotillaError('INVALID_PUBLISH', { value, reason: 'protocol must be tcp or udp' });
  for (const p of [b.containerPort, b.hostPort])
    if (!Number.isInteger(p) || p < 0 || p > 65535 || (p === 0 && p === b.containerPort))
      throw new FlotillaError('INVALID_PUBLISH', { value, reason: `port ${p} is outside 1-65535` });
  return { ...b, hostIp: b.hostIp === '0.0.0.0' ? '' : (b.hostIp ?? '') };
}

function clash(a: PortBinding, b: PortBinding): boolean {
  return (
    a.protocol === b.protocol &&
    a.hostPort === b.hostPort &&
    (!a.hostIp || !b.hostIp || a.hostIp === b.hostIp)
  );
}

export class PortAllocator {
  private grants: Grant[] = [];
  private cursor: number;
  private readonly range: [number, number];

  constructor(opts: { range?: [number, number] } = {}) {
    this.range = opts.range ?? ephemeralRange();
    this.cursor = this.range[0] + Math.floor(Math.random() * (this.range[1] - this.range[0] + 1));
  }

  /**
   * Grants every binding or none: fixed ports are checked against our table and by binding a
   * socket; hostPort 0 gets the next free port of the ephemeral range.
   * @throws PORT_IN_USE naming the port and its holder; INVALID_PUBLISH for a foreign address
   */
  async reserve(
    containerId: string,
    holderName: string,
    bindings: PortBinding[],
  ): Promise<PortBinding[]> {
    const granted: Grant[] = [];
    try {
      for (const raw of bindings) {
        const b = normalise(raw);
        const g = b.hostPort
          ? await this.grantFixed(containerId, holderName, b, granted)
          : await this.grantRandom(containerId, holderName, b, granted);
        granted.push(g);
      }
    } catch (err) {
      for (const g of granted) closeHold(g.socket);
      throw err;
    }
    this.grants.push(...granted);
    return granted.map((g) => g.binding);
  }

  /**
   * Re-records bindings that rules already carry (after an agent restart). A port a host process
   * took meanwhile stays recorded without a held socket; DNAT still wins for its traffic.
   */
  async adopt(containerId: string, holderName: string, bindings: PortBinding[]): Promise<void> {
    for (const b of bindings) {
      if (this.grants.some((g) => g.containerId === containerId && clash(g.binding, b))) continue;
      const r = await bindHold(b);
      this.grants.push({
        containerId,
        holderName,
        binding: b,
        socket: r.ok ? r.socket : undefined,
      });
    }
  }

  release(containerId: string): void {
    for (const g of this.grants.filter((x) => x.containerId === containerId)) closeHold(g.socket);
    this.grants = this.grants.filter((g) => g.containerId !== containerId);
  }

  releaseAll(): void {
    for (const g of this.grants) closeHold(g.socket);
    this.grants = [];
  }

  portsOf(containerId: string): PortBinding[] {
    return this.grants.filter((g) => g.containerId === containerId).map((g) => g.binding);
  }

  private async grantFixed(
    containerId: string,
    holderName: string,
    b: PortBinding,
    pending: Grant[],
  ): Promise<Grant> {
    const address = `${b.hostIp || '0.0.0.0'}:${b.hostPort}`;
    const mine = [...this.grants, ...pending].find((g) => clash(g.binding, b));
    if (mine)
      throw new FlotillaError('PORT_IN_USE', {
        address,
        port: b.hostPort,
        protocol: b.protocol,
        holder: `container ${mine.holderName}`,
      });
    const r = await bindHold(b);
    if (r.ok) return { containerId, holderName, binding: { ...b }, socket: r.socket };
    if (r.code === 'EADDRNOTAVAIL')
      throw new FlotillaError('INVALID_PUBLISH', {
        value: `${address}/${b.protocol}`,
        reason: `${b.hostIp} is not an address of this machine`,
      });
    throw new FlotillaError('PORT_IN_USE', {
      address,
      port: b.hostPort,
      protocol: b.protocol,
      holder: r.code === 'EADDRINUSE' ? 'a host process' : `the host (${r.code})`,
    });
  }

  private async grantRandom(
    containerId: string,
    holderName: string,
    b: PortBinding,
    pending: Grant[],
  ): Promise<Grant> {
    const [lo, hi] = this.range;
    const size = hi - lo + 1;
    const reserved = reservedPorts();
    for (let i = 0; i < size; i++) {
      const port = this.cursor;
      this.cursor = this.cursor >= hi ? lo : this.cursor + 1;
      if (reserved.has(port)) continue;
      const candidate = { ...b, hostPort: port };
      if ([...this.grants, ...pending].some((g) => clash(g.binding, candidate))) continue;
      const r = await bindHold(candidate);
      if (r.ok) return { containerId, holderName, binding: candidate, socket: r.socket };
      if (r.code === 'EADDRNOTAVAIL')
        throw new FlotillaError('INVALID_PUBLISH', {
          value: `${b.hostIp}::${b.containerPort}/${b.protocol}`,
          reason: `${b.hostIp} is not an address of this machine`,
        });
    }
    throw new FlotillaError('PORT_RANGE_EXHAUSTED', {
      protocol: b.protocol,
      range: `${lo}-${hi}`,
      address: b.hostIp || '0.0.0.0',
    });
  }
}
