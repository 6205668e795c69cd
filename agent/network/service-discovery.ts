// Service discovery on overlay networks, as one component over the data plane's OverlayStateReader:
// the DNS servers on the overlays' gateways (dns/overlay-servers.ts) and the VIP rules in each local
// container's namespace (vip/). It never changes the state, and makes no device or address itself.
import type { Logger } from '../../shared/log/index.js';
import { DiscoveryTable, ReaderOverlayView } from './discovery/index.js';
import type { OverlayStateReader } from './overlay/state.js';
import { OverlayDnsServers } from './dns/overlay-servers.js';
import { VipRules } from './vip/index.js';

export interface ServiceDiscoveryDeps {
  /** The overlay data plane's state (or MemoryOverlayState in tests). */
  overlay: OverlayStateReader;
  /** The host's resolvers for names that are no cluster name. */
  upstreams: () => string[];
  /** A container's own --dns servers by its address (NetworkCore's endpoints). */
  upstreamsOf?: (clientIp: string) => string[] | undefined;
  log: Logger;
  /** @default 53 */
  dnsPort?: number;
}

export class ServiceDiscovery {
  private readonly view: ReaderOverlayView;
  private readonly table: DiscoveryTable;
  private readonly dns: OverlayDnsServers;
  private readonly vip: VipRules;

  constructor(deps: ServiceDiscoveryDeps) {
    this.view = new ReaderOverlayView(deps.overlay);
    this.table = new DiscoveryTable(this.view);
    this.dns = new OverlayDnsServers({
      table: this.table,
      upstreams: deps.upstreams,
      upstreamsOf: deps.upstreamsOf,
      log: deps.log,
      port: deps.dnsPort,
    });
    this.vip = new VipRules({ table: this.table, log: deps.log });
  }

  /** After the data plane has loaded its state (agent start): listens, writes every namespace. */
  async start(): Promise<void> {
    await this.dns.start();
    await this.vip.start();
  }

  async stop(): Promise<void> {
    await this.vip.stop();
    await this.dns.stop();
    this.table.close();
    this.view.close();
  }

  /**
   * Starts the DNS server of networks whose bridge now carries the gateway. The data plane calls it
   * after bringing a network up (a server bound before that is retried at the next change).
   */
  networksUp(): Promise<void> {
    return this.dns.sync();
  }

  /** Resolves once every change seen so far is in the namespaces' rules. */
  settled(): Promise<void> {
    return this.vip.settled();
  }
}
