// The networks as `network ls` and `network inspect` show them: the pre-defined ones (bridge, host,
// none) and the user-defined ones, with the containers attached (inspect). Read-only.
import { FlotillaError } from '../../shared/errors/index.js';
import { builtinId, type NetworkCore } from './core.js';
import type { NetworkRecord } from './state.js';
import type { NetworkInfo } from './types.js';

export class NetworkCatalog {
  constructor(private readonly core: NetworkCore) {}

  list(): NetworkInfo[] {
    return [...this.builtins(), ...this.core.state.networks.map((n) => this.info(n))];
  }

  /** By name, id or id prefix (3+ characters), with the attached containers. @throws NETWORK_NOT_FOUND */
  inspect(nameOrId: string): NetworkInfo {
    const all = this.list();
    const info =
      all.find((n) => n.name === nameOrId || n.id === nameOrId) ??
      all.find((n) => nameOrId.length >= 3 && n.id.startsWith(nameOrId));
    if (!info) throw new FlotillaError('NETWORK_NOT_FOUND', { name: nameOrId });
    const containers: NonNullable<NetworkInfo['containers']> = {};
    for (const e of this.core.state.endpoints) {
      const i = e.interfaces.find((x) => x.network === info.name);
      if (i) containers[e.containerId] = { name: e.name, ipv4: i.ipv4, aliases: i.aliases };
      else if (
        (info.name === 'host' && e.mode === 'host') ||
        (info.name === 'none' && e.mode === 'none')
      )
        containers[e.containerId] = { name: e.name, ipv4: '', aliases: [] };
    }
    return { ...info, containers };
  }

  info(n: NetworkRecord): NetworkInfo {
    return {
      id: n.id,
      name: n.name,
      // Only local networks are listed here; overlay networks are the manager's to show.
      driver: 'bridge',
      scope: 'local',
      builtin: false,
      subnet: n.subnet,
      gateway: n.gateway,
      bridge: n.bridge,
      createdAt: n.createdAt,
      labels: n.labels,
      ...(n.attachable ? { attachable: true } : {}),
    };
  }

  private builtins(): NetworkInfo[] {
    const { createdAt } = this.core;
    const predefined = (name: string, driver: 'host' | 'null'): NetworkInfo => ({
      id: builtinId(name),
      name,
      driver,
      scope: 'local',
      builtin: true,
      createdAt,
      labels: {},
    });
    return [
      { ...this.info(this.core.defaultNetwork()), builtin: true },
      predefined('host', 'host'),
      predefined('none', 'null'),
    ];
  }
}
