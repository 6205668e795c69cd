// The DNS server of one network: UDP and TCP on the network's gateway address, answering A queries
// for the names its resolver decides (per client address) and forwarding every other query to the
// host's resolvers. Only clients inside the network's subnet get answers.
import { createSocket, type Socket } from 'node:dgram';
import type { Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { splitHostPort } from '../../../shared/net/host-port.js';
import type { Logger } from '../../../shared/log/index.js';
import { contains, ipToInt, parseSubnet } from '../ipam/cidr.js';
import {
  buildReply,
  parseQuestion,
  RCODE_NXDOMAIN,
  RCODE_REFUSED,
  RCODE_SERVFAIL,
  TYPE_A,
  TYPE_ANY,
  UDP_REPLY_MAX_BYTES,
} from './packet.js';
import { listenTcp } from './tcp.js';

/** What to do with a query: answer (A records; other types get NODATA), refuse, or forward. */
export type DnsDecision =
  | { kind: 'answer'; addresses: string[] }
  | { kind: 'nxdomain' }
  | { kind: 'forward' }
  | { kind: 'refused' };

/** IPv4 nameservers from resolv.conf (the host's resolvers, for forwarding and bridge mode). */
export function hostResolvers(path = '/etc/resolv.conf'): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .map((l) => /^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/.exec(l)?.[1])
      .filter((x): x is string => Boolean(x));
  } catch {
    return [];
  }
}

export interface DnsServerDeps {
  address: string;
  /** @default 53 */
  port?: number;
  subnet: string;
  /** The decision for `name` (lower-case, no trailing dot) asked by `client` (its IPv4). */
  resolve: (name: string, client: string) => DnsDecision;
  /** TTL of our answers. @default 600 (Docker's) */
  ttlSec?: number;
  /** `ip` or `ip:port`. */
  upstreams: string[];
  /** A client's own upstreams (its --dns), if it has any: they replace `upstreams` for it. */
  upstreamsOf?: (clientIp: string) => string[] | undefined;
  log: Logger;
  /** @default 2000 */
  forwardTimeoutMs?: number;
  /** Also answer over TCP on the same address and port (long answers). @default true */
  tcp?: boolean;
}

export class NetworkDnsServer {
  private socket?: Socket;
  private tcp?: Server;

  constructor(private readonly deps: DnsServerDeps) {}

  async start(): Promise<void> {
    const s = createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind({ address: this.deps.address, port: this.deps.port ?? 53, exclusive: true }, () => {
        s.removeListener('error', reject);
        resolve();
      });
    });
    s.on('error', (err) => this.deps.log.warn({ err }, 'dns socket error'));
    s.on('message', (msg, rinfo) => {
      void this.reply(msg, rinfo.address, UDP_REPLY_MAX_BYTES).then((r) => {
        if (r) this.socket?.send(r, rinfo.port, rinfo.address);
      });
    });
    this.socket = s;
    if (this.deps.tcp === false) return;
    try {
      // Port 0 (tests): the TCP side takes the port the UDP side got.
      const port = s.address().port;
      this.tcp = await listenTcp(
        this.deps.address,
        port,
        (m, c) => this.reply(m, c),
        this.deps.log,
      );
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    const s = this.socket;
    const t = this.tcp;
    this.socket = undefined;
    this.tcp = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
    if (t) await new Promise<void>((r) => t.close(() => r()));
  }

  /** The UDP (and TCP) port it listens on. */
  port(): number | undefined {
    return this.socket?.address().port;
  }

  private async reply(msg: Buffer, address: string, maxBytes = 65535): Promise<Buffer | undefined> {
    const ipNum = ipToInt(address);
    if (ipNum === undefined || !contains(parseSubnet(this.deps.subnet), ipNum)) return undefined;
    const q = parseQuestion(msg);
    if (!q) return undefined;
    const d = this.deps.resolve(q.name, address);
    const ttl = this.deps.ttlSec ?? 600;
    const upstreams = this.deps.upstreamsOf?.(address) ?? this.deps.upstreams;
    if (d.kind === 'answer') {
      const a = q.type === TYPE_A || q.type === TYPE_ANY ? d.addresses : [];
      return buildReply(msg, q, a, 0, ttl, maxBytes);
    }
    if (d.kind === 'refused') return buildReply(msg, q, [], RCODE_REFUSED);
    if (d.kind === 'nxdomain' || (!q.name.includes('.') && !upstreams.length))
      return buildReply(msg, q, [], RCODE_NXDOMAIN);
    return (await this.forward(msg, upstreams)) ?? buildReply(msg, q, [], RCODE_SERVFAIL);
  }

  private async forward(msg: Buffer, upstreams: string[]): Promise<Buffer | undefined> {
    for (const upstream of upstreams) {
      const [host, port] = splitHostPort(upstream, { defaultPort: 53 });
      const got = await new Promise<Buffer | undefined>((resolve) => {
        const s = createSocket('udp4');
        const timer = setTimeout(() => done(undefined), this.deps.forwardTimeoutMs ?? 2000);
        const done = (v: Buffer | undefined) => {
          clearTimeout(timer);
          s.close();
          resolve(v);
        };
        s.on('error', () => done(undefined));
        s.on('message', (m) => {
          if (m.length >= 2 && m.readUInt16BE(0) === msg.readUInt16BE(0)) done(m);
        });
        s.send(msg, port, host);
      });
      if (got) return got;
    }
    return undefined;
  }
}
