// Who uses a cluster network (services that name it: `network rm` refuses while any does), and
// which subnets no overlay may take in this cluster.
import type { Network, Service } from '../../shared/model/index.js';
import type { ObjectStore } from '../store/index.js';
import type { StoredNetwork } from './keys.js';
import type { ClusterSettings } from '../ca/index.js';
import { reservedPools } from './pool.js';

/** The services whose spec attaches to the network, by name. */
export function usersOf(network: Network, services: readonly Service[]): string[] {
  return services
    .filter((s) => s.spec.taskTemplate.networks.some((a) => a.target === network.id))
    .map((s) => s.spec.name)
    .sort();
}

/** The node-subnet pools of this cluster and the agents' own bridge pool. */
export function reservedFor(cluster: ClusterSettings | undefined): string[] {
  const pools = cluster?.addressPool?.cidrs ?? [reservedPools[0]];
  return [...new Set([...pools, reservedPools[1]])];
}

/** Networks services may attach to: all but those being removed. */
export function liveNetworks(store: Pick<ObjectStore, 'list'>): Network[] {
  return (store.list('network') as StoredNetwork[]).filter((n) => !n.removing);
}
