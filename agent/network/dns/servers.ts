// One DNS server per user-defined network on its gateway, answering from the endpoints the core
// holds (container names, short ids, aliases on that network or another of the asker's). Started
// with the network and at agent start, stopped with it.
import type { NetworkCore } from '../core.js';
import type { NetworkRecord } from '../state.js';
import { NetworkDnsServer } from './server.js';

export class NetworkDnsServers {
  private readonly servers = new Map<string, NetworkDnsServer>();

  constructor(private readonly core: NetworkCore) {}

  async start(n: NetworkRecord): Promise<void> {
    const server = new NetworkDnsServer({
      address: n.gateway,
      port: this.core.opts.dnsPort,
      subnet: n.subnet,
      upstreams: this.core.upstreams(),
      log: this.core.log.child({ network: n.name }),
      resolve: (name, client) => {
        const addresses = this.lookupFor(n.name, name, client);
        return addresses.length ? { kind: 'answer', addresses } : { kind: 'forward' };
      },
      upstreamsOf: (ip) => this.upstreamsOf(n.name, ip),
    });
    await server.start();
    this.servers.set(n.name, server);
  }

  async stop(network: string): Promise<void> {
    await this.servers.get(network)?.stop();
    this.servers.delete(network);
  }

  async stopAll(): Promise<void> {
    for (const s of this.servers.values()) await s.stop();
    this.servers.clear();
  }

  /** The --dns servers of the container at `ip` on `network`, if it set any. */
  private upstreamsOf(network: string, ip: string): string[] | undefined {
    const e = this.core.state.endpoints.find((x) =>
      x.interfaces.some((i) => i.network === network && i.ipv4 === ip),
    );
    return e?.dns?.length ? e.dns : undefined;
  }

  /**
   * As Docker's embedded DNS: names on the network asked first, then on the other networks of the
   * asking container (`--network a --network b`, `network connect`), whose resolv.conf names only
   * its first network's server.
   */
  private lookupFor(network: string, name: string, client: string): string[] {
    const here = this.lookup(network, name);
    if (here.length) return here;
    const asker = this.core.state.endpoints.find((x) =>
      x.interfaces.some((i) => i.network === network && i.ipv4 === client),
    );
    for (const i of asker?.interfaces ?? []) {
      if (i.network === network || i.networkId) continue;
      const there = this.lookup(i.network, name);
      if (there.length) return there;
    }
    return [];
  }

  /** Addresses on `network` of the containers called `name` (name, short id or alias). */
  private lookup(network: string, name: string): string[] {
    const out: string[] = [];
    for (const e of this.core.state.endpoints) {
      const i = e.interfaces.find((x) => x.network === network);
      if (!i) continue;
      const names = [e.name, e.containerId.slice(0, 12), ...i.aliases].map((x) => x.toLowerCase());
      if (names.includes(name)) out.push(i.ipv4);
    }
    return out;
  }
}
