// The executor's side of the network (NetworkProvisioner): a task's stack network is created on
// first use, and a task with ingress ports on a node-local network gets a second interface on the
// routed default bridge (executor meshHook).
import { FlotillaError } from '../../shared/errors/index.js';
import type { NetworkCore } from './core.js';
import type { LocalNetworks } from './local-networks.js';
import type { NetworkProvisioner } from './types.js';

export class TaskNetworks implements NetworkProvisioner {
  constructor(
    private readonly core: NetworkCore,
    private readonly networks: LocalNetworks,
  ) {}

  /** Concurrent calls for one name end with one network. */
  async ensureNetwork(name: string, labels?: Record<string, string>): Promise<void> {
    if (this.networks.listNetworks().some((n) => n.name === name)) return;
    try {
      await this.networks.createNetwork({ name, labels });
    } catch (err) {
      if (!(err instanceof FlotillaError && err.code === 'NETWORK_EXISTS')) throw err;
    }
  }

  connect(network: string, containerId: string): Promise<void> {
    return this.networks.connect(network, containerId);
  }

  /** The container's address on `network` ('bridge' = the default network), if it has one. */
  addressOn(network: string, containerId: string): string | undefined {
    return this.core.endpoint(containerId)?.interfaces.find((i) => i.network === network)?.ipv4;
  }
}
