// Fills in a service's published ports inside the transaction that writes it. Every other service
// is read through the transaction, so a concurrent change of one of them makes the commit retry on
// fresh state (a service created concurrently by another manager is not seen: TODO(ingress) a
// port-claim key per published port would close that gap).
import type { Service } from '../../shared/model/index.js';
import type { ObjectStore, StoreTx } from '../store/types.js';
import { resolvePorts } from './ports.js';

/**
 * Sets `service.endpoint.ports` from its spec (keeping ports assigned before); `alsoWritten` are
 * services written earlier in the same transaction (stack deploy).
 * @throws SERVICE_PORT_IN_USE, INGRESS_PORTS_EXHAUSTED
 */
export function assignPorts(
  tx: StoreTx,
  store: Pick<ObjectStore, 'list'>,
  service: Service,
  alsoWritten: readonly Service[] = [],
): Service {
  const written = new Map(alsoWritten.map((s) => [s.id, s]));
  const others: Service[] = [];
  for (const s of store.list('service')) {
    if (s.id === service.id || written.has(s.id)) continue;
    const fresh = tx.get('service', s.id);
    if (fresh) others.push(fresh);
  }
  for (const s of alsoWritten) if (s.id !== service.id) others.push(s);
  service.endpoint = { ports: resolvePorts(service.spec, service.endpoint?.ports, others) };
  return service;
}
