// One DNS server per overlay network this node is on, on the network's gateway (which this node's
// bridge for the network carries), answering each caller from the networks it is attached to
// (overlay-lookup.ts). Servers follow the view: started when a network arrives, stopped when it goes.
import type { Logger } from '../../../shared/log/index.js';
import type { DiscoveryTable } from '../discovery/index.js';
import { lookupOverlayName } from './overlay-lookup.js';
import { NetworkDnsServer, type DnsDecision } from './server.js';

export interface OverlayDnsDeps {
  table: DiscoveryTable;
  /** The host's resolvers for names no cluster network knows (`ip` or `ip:port`). */
  upstreams: () => string[];
  /** A client's own upstreams (its --dns), replacing `upstreams` for it. */
  upstreamsOf?: (clientIp: string) => string[] | undefined;
  log: Logger;
  /** @default 53 */
  port?: number;
  /** Cluster answers change with every task: clients must not keep them. @default 0 */
  ttlSec?: number;
}

/** Shuffled copy: several task addresses are spread over clients that take the first. */
function shuffled(d: DnsDecision): DnsDecision {
  if (d.kind !== 'answer' || d.addresses.length < 2) return d;
  const a = [...d.addresses];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return { kind: 'answer', addresses: a };
}

export class OverlayDnsServers {
  private readonly servers = new Map<string, { gateway: string; server: NetworkDnsServer }>();
  private readonly log: Logger;
  private unsubscribe?: () => void;
  private syncing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: OverlayDnsDeps) {
    this.log = deps.log.child({ component: 'overlay-dns' });
  }

  async start(): Promise<void> {
    this.unsubscribe = this.deps.table.onChange((c) => {
      if (c.networkIds.length) void this.sync();
    });
    await this.sync();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.syncing;
    for (const { server } of this.servers.values()) await server.stop();
    this.servers.clear();
  }

  /** Networks whose server answers now (tests, status). */
  serving(): string[] {
    return [...this.servers.keys()];
  }

  /**
   * Makes the servers match the view's networks. Idempotent and serialised; the data plane calls it
   * once a network's bridge carries the gateway (a bind before that fails with EADDRNOTAVAIL and is
   * retried at the next call or change).
   */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(() => this.syncNow());
    return this.syncing;
  }

  private async syncNow(): Promise<void> {
    const wanted = new Map<string, string>();
    for (const n of this.deps.table.view.networks()) wanted.set(n.networkId, n.gateway);
    for (const [id, s] of this.servers)
      if (wanted.get(id) !== s.gateway) {
        await s.server.stop();
        this.servers.delete(id);
      }
    for (const [id, gateway] of wanted) {
      if (this.servers.has(id)) continue;
      const n = this.deps.table.view.network(id)!;
      const server = new NetworkDnsServer({
        address: gateway,
        port: this.deps.port,
        subnet: n.subnet,
        upstreams: this.deps.upstreams(),
        upstreamsOf: this.deps.upstreamsOf,
        ttlSec: this.deps.ttlSec ?? 0,
        log: this.log.child({ network: n.name }),
        resolve: (name, client) => shuffled(lookupOverlayName(this.deps.table, id, client, name)),
      });
      try {
        await server.start();
        this.servers.set(id, { gateway, server });
      } catch (err) {
        this.log.warn({ err, network: n.name, address: gateway }, 'overlay dns not listening yet');
      }
    }
  }
}
