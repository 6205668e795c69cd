// Attaching services and tasks to cluster networks: the spec's targets resolved to network ids
// (an unknown name refuses the whole write), a VIP per network for vip-mode services, and each
// placed task's address on every network of its spec. Addresses are claimed in the same
// transaction as the document that holds them (/names/overlay-addrs/<networkId>/<ip>), so after a
// failover the new leader sees exactly what is taken: nothing is remembered in memory but a hint
// where to look next.
import { FlotillaError } from '../../shared/errors/index.js';
import type {
  Network,
  Service,
  ServiceSpec,
  Task,
  TaskNetworkAttachment,
  VirtualIp,
} from '../../shared/model/index.js';
import { intToIp, ipToInt, lastHostOf, parseSubnet } from '../../shared/net/cidr.js';
import type { StoreTx } from '../store/index.js';
import { overlayAddrClaim } from '../store/index.js';

/** Node-local networks a service may name: the agent's own, never resolved by the manager. */
export const nodeLocalNetworks = new Set(['bridge', 'host', 'none']);

/** How route handlers find a network: exact id, exact name, then a unique id prefix (as docker). */
export function findNetwork(networks: readonly Network[], ref: string): Network | undefined {
  const exact = networks.find((n) => n.id === ref) ?? networks.find((n) => n.spec.name === ref);
  if (exact) return exact;
  const hits = networks.filter((n) => n.id.startsWith(ref));
  if (hits.length > 1) throw new FlotillaError('NETWORK_AMBIGUOUS', { ref, count: hits.length });
  return hits[0];
}

/**
 * The spec with each cluster network's name (or id prefix) replaced by its id. Refuses an unknown
 * network (NETWORK_NOT_FOUND) and one listed twice, before anything is written.
 */
export function resolveNetworks(spec: ServiceSpec, networks: readonly Network[]): ServiceSpec {
  const seen = new Set<string>();
  const resolved = spec.taskTemplate.networks.map((a, i) => {
    let target = a.target;
    if (!nodeLocalNetworks.has(target)) {
      const n = findNetwork(networks, target);
      if (!n) throw new FlotillaError('NETWORK_NOT_FOUND', { name: target });
      target = n.id;
    }
    if (seen.has(target))
      throw new FlotillaError('SERVICE_SPEC_INVALID', {
        field: `taskTemplate.networks[${i}]`,
        reason: `network ${a.target} is listed twice`,
      });
    seen.add(target);
    return { ...a, target };
  });
  return { ...spec, taskTemplate: { ...spec.taskTemplate, networks: resolved } };
}

/** The cluster networks a service's tasks attach to (ids), in the spec's order. */
export function clusterNetworkIds(spec: ServiceSpec): string[] {
  return spec.taskTemplate.networks.map((a) => a.target).filter((t) => !nodeLocalNetworks.has(t));
}

/**
 * The service with a VIP on each of its cluster networks (vip mode; none in dnsrr mode): kept
 * where it had one, new ones claimed here, the others released by this write.
 */
export function assignVips(tx: StoreTx, service: Service): Service {
  const had = new Map((service.endpoint?.virtualIps ?? []).map((v) => [v.networkId, v]));
  const vips: VirtualIp[] = [];
  for (const id of clusterNetworkIds(service.spec)) {
    // Read in the transaction: a network removed meanwhile fails this commit (compared).
    const network = tx.get('network', id);
    if (!network) throw new FlotillaError('NETWORK_NOT_FOUND', { name: id });
    if (service.spec.endpointSpec.mode === 'dnsrr') continue;
    vips.push(had.get(id) ?? { networkId: id, address: freeAddress(tx, network) });
  }
  const endpoint = {
    ports: service.endpoint?.ports ?? [],
    ...(vips.length ? { virtualIps: vips } : {}),
  };
  if (!service.endpoint && vips.length === 0) return service;
  return { ...service, endpoint };
}

/**
 * The task's attachments, one address per cluster network of its spec, or why it cannot have them
 * (a full subnet: the task stays pending with that reason). A task that has them keeps them.
 */
export function attachTask(
  tx: StoreTx,
  task: Task,
): { networks?: TaskNetworkAttachment[] } | { reason: string } {
  if (task.networks) return { networks: task.networks };
  const out: TaskNetworkAttachment[] = [];
  for (const a of task.spec.networks) {
    if (nodeLocalNetworks.has(a.target)) continue;
    const network = tx.get('network', a.target);
    // Removed networks are refused while a service names them; a task of an older spec may.
    if (!network) return { reason: `network ${a.target} not found` };
    let address: string;
    try {
      address = freeAddress(tx, network, out);
    } catch (err) {
      return { reason: (err as Error).message };
    }
    out.push({
      networkId: network.id,
      name: network.spec.name,
      subnet: network.subnet,
      gateway: network.gateway,
      vni: network.vni,
      address,
      aliases: [...new Set(a.aliases ?? [])],
      internal: network.spec.internal,
      encrypted: network.spec.encrypted,
    });
  }
  return out.length ? { networks: out } : {};
}

/** Where the last address of each network was found: only a hint where to look next. */
const cursor = new Map<string, number>();

/** A free host address of the network (not its gateway), as this transaction sees the claims. */
export function freeAddress(
  tx: StoreTx,
  network: Network,
  pending: TaskNetworkAttachment[] = [],
): string {
  const s = parseSubnet(network.subnet);
  const first = s.base + 1;
  const last = lastHostOf(s);
  const gateway = ipToInt(network.gateway);
  const count = last - first + 1;
  const start = cursor.get(network.id) ?? first;
  for (let i = 0; i < count; i++) {
    const ip = first + ((start - first + i) % count);
    if (ip === gateway) continue;
    const address = intToIp(ip);
    if (pending.some((p) => p.networkId === network.id && p.address === address)) continue;
    if (tx.claimOwner('overlay-addrs', overlayAddrClaim(network.id, address)) !== undefined)
      continue;
    cursor.set(network.id, ip + 1 > last ? first : ip + 1);
    return address;
  }
  throw new FlotillaError('ADDRESS_POOL_EXHAUSTED', {
    subnet: network.subnet,
    network: network.spec.name,
  });
}
