// Docker's network events from the local network API (create, destroy, connect, disconnect of a
// running container): reported once each operation succeeded, with the network's id, name and
// driver. A container's own network comes and goes with its start and death (runtime events).
import type { ObjectEvent } from '../../shared/engine/index.js';
import type { LocalNetworkApi } from '../network/index.js';

export function withNetworkEvents(
  networks: LocalNetworkApi,
  emit: (e: ObjectEvent) => void,
): LocalNetworkApi {
  const event = (
    action: string,
    n: { id: string; name: string; driver: string },
    extra: Record<string, string> = {},
  ): ObjectEvent => ({
    type: 'network',
    action,
    id: n.id,
    attributes: { name: n.name, type: n.driver, ...extra },
  });
  return {
    listNetworks: () => networks.listNetworks(),
    inspectNetwork: (n) => networks.inspectNetwork(n),
    createNetwork: async (o) => {
      const info = await networks.createNetwork(o);
      emit(event('create', info));
      return info;
    },
    removeNetwork: async (nameOrId) => {
      const info = networks.inspectNetwork(nameOrId);
      await networks.removeNetwork(nameOrId);
      emit(event('destroy', info));
    },
    pruneNetworks: async () => {
      const before = new Map(networks.listNetworks().map((n) => [n.name, n]));
      const removed = await networks.pruneNetworks();
      for (const name of removed) {
        const info = before.get(name);
        if (info) emit(event('destroy', info));
      }
      return removed;
    },
    connect: async (nameOrId, containerId, aliases, ipv4Address) => {
      await networks.connect(nameOrId, containerId, aliases, ipv4Address);
      emit(event('connect', networks.inspectNetwork(nameOrId), { container: containerId }));
    },
    disconnect: async (nameOrId, containerId) => {
      await networks.disconnect(nameOrId, containerId);
      emit(event('disconnect', networks.inspectNetwork(nameOrId), { container: containerId }));
    },
  };
}
