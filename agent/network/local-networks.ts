// The local engine API's networks (LocalNetworkApi): `network create/ls/inspect/rm/prune/connect/
// disconnect` on this agent. These are node-local bridge networks; each gets a bridge, a subnet
// from the user pool (or --subnet) and a DNS server on its gateway.
import { randomBytes } from 'node:crypto';
import { FlotillaError } from '../../shared/errors/index.js';
import type { NetworkCatalog } from './catalog.js';
import { BUILTIN_BRIDGE, type NetworkCore } from './core.js';
import { defaultUserSubnetPool } from './defaults.js';
import type { NetworkDnsServers } from './dns/servers.js';
import type { Endpoints } from './endpoints.js';
import { gatewayOf, parseSubnet } from './ipam/cidr.js';
import type { NetworkRecord } from './state.js';
import { checkSubnet, pickSubnet } from './subnets.js';
import type { LocalNetworkApi, NetworkCreateOptions, NetworkInfo } from './types.js';

export class LocalNetworks implements LocalNetworkApi {
  constructor(
    private readonly core: NetworkCore,
    private readonly endpoints: Endpoints,
    private readonly catalog: NetworkCatalog,
    private readonly dns: NetworkDnsServers,
  ) {}

  listNetworks(): NetworkInfo[] {
    return this.catalog.list();
  }

  /** @throws NETWORK_NOT_FOUND */
  inspectNetwork(nameOrId: string): NetworkInfo {
    return this.catalog.inspect(nameOrId);
  }

  /** @throws NETWORK_EXISTS, INVALID_SUBNET, SUBNET_OVERLAP, SUBNET_POOL_EXHAUSTED */
  async createNetwork(o: NetworkCreateOptions): Promise<NetworkInfo> {
    const { core } = this;
    return core.run(async () => {
      if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(o.name))
        throw new FlotillaError('INVALID_ARGUMENT', {
          detail: `invalid network name "${o.name}": use letters, digits, '_', '.', '-'`,
        });
      if (this.listNetworks().some((n) => n.name === o.name))
        throw new FlotillaError('NETWORK_EXISTS', { name: o.name });
      const taken = core.allNetworks();
      const subnet = o.subnet
        ? await checkSubnet(o.subnet, taken)
        : await pickSubnet(core.opts.userSubnetPool ?? defaultUserSubnetPool, taken);
      const id = randomBytes(32).toString('hex');
      const rec: NetworkRecord = {
        id,
        name: o.name,
        subnet,
        gateway: gatewayOf(parseSubnet(subnet)),
        bridge: `${core.prefix}br${id.slice(0, 12 - core.prefix.length)}`,
        createdAt: new Date().toISOString(),
        labels: o.labels ?? {},
        ...(o.attachable ? { attachable: true } : {}),
      };
      core.state.networks.push(rec);
      await core.save();
      try {
        await core.driver(rec).up(rec);
        await core.applyRules();
        await this.dns.start(rec);
      } catch (err) {
        await this.drop(rec);
        throw err;
      }
      core.log.info({ network: rec.name, subnet, bridge: rec.bridge }, 'network created');
      return this.catalog.info(rec);
    });
  }

  /** @throws NETWORK_NOT_FOUND, NETWORK_PREDEFINED, NETWORK_IN_USE */
  async removeNetwork(nameOrId: string): Promise<void> {
    const { core } = this;
    await core.run(async () => {
      const rec = core.userNetwork(nameOrId, 'removed');
      const users = core.state.endpoints.filter((e) =>
        e.interfaces.some((i) => i.network === rec.name),
      );
      if (users.length)
        throw new FlotillaError('NETWORK_IN_USE', {
          name: rec.name,
          containers: users.map((e) => e.name || e.containerId.slice(0, 12)).join(', '),
        });
      await this.drop(rec);
      core.log.info({ network: rec.name }, 'network removed');
    });
  }

  /** Removes every user-defined network without endpoints; returns their names. */
  async pruneNetworks(): Promise<string[]> {
    const { state } = this.core;
    const unused = state.networks.filter(
      (n) => !state.endpoints.some((e) => e.interfaces.some((i) => i.network === n.name)),
    );
    const removed: string[] = [];
    for (const n of unused) {
      await this.removeNetwork(n.name).then(
        () => removed.push(n.name),
        () => {},
      );
    }
    return removed;
  }

  /** Adds an interface on `network` to an attached container (network connect). */
  async connect(
    nameOrId: string,
    containerId: string,
    aliases: string[] = [],
    ipv4Address?: string,
  ): Promise<void> {
    const { core } = this;
    await core.run(async () => {
      const net = core.network(nameOrId);
      const e = core.endpointByRef(containerId);
      if (!e || !e.netns || e.mode === 'none')
        throw new FlotillaError('INVALID_NETWORK_MODE', {
          mode: e?.mode ?? 'unknown',
          reason: `container ${containerId} has no network namespace of its own to connect`,
        });
      if (e.interfaces.some((i) => i.network === net.name))
        throw new FlotillaError('ENDPOINT_EXISTS', {
          container: e.name || containerId,
          network: net.name,
        });
      const named = net.name === BUILTIN_BRIDGE ? [] : aliases;
      const iface = await this.endpoints.reserveInterface(e, net, named, undefined, ipv4Address);
      await this.endpoints.plugInterface(e, net, iface);
      await core.save();
      await core.applyRules();
    });
  }

  /** Removes a container's interface on `network` (network disconnect). */
  async disconnect(nameOrId: string, containerId: string): Promise<void> {
    const { core } = this;
    await core.run(async () => {
      const net = core.network(nameOrId);
      const e = core.endpointByRef(containerId);
      const i = e?.interfaces.find((x) => x.network === net.name);
      if (!e || !i)
        throw new FlotillaError('ENDPOINT_NOT_FOUND', {
          container: containerId,
          network: net.name,
        });
      await this.endpoints.removeInterface(e, i);
      if (e.portNetwork === net.name) {
        core.ports.release(e.containerId);
        e.ports = [];
        e.portNetwork = undefined;
      }
      await core.save();
      await core.applyRules();
    });
  }

  /** Forgets a network and removes its DNS server, rules and bridge (caller holds the mutex). */
  private async drop(rec: NetworkRecord): Promise<void> {
    const { core } = this;
    await this.dns.stop(rec.name);
    core.state.networks = core.state.networks.filter((n) => n !== rec);
    await core.save();
    await core.applyRules();
    await core.driver(rec).down(rec);
    await core.ipam.dropNetwork(rec.name);
  }
}
