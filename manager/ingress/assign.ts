// Fills in a service's published ports inside the transaction that writes it. The other services
// come from the cache; the write claims each ingress port (/names/ingress-ports/<proto>/<port>) and
// each host-mode port (/names/host-ports/<proto>/<port>/<serviceId>, manager/store/claims.ts), so a
// port another manager gave a service meanwhile, in either mode, fails the commit, which runs again
// on fresh state and picks another port (or refuses a fixed one).
import type { Service } from '../../shared/model/index.js';
import type { ObjectStore, StoreTx } from '../store/index.js';
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
  for (const s of store.list('service'))
    if (s.id !== service.id && !written.has(s.id)) others.push(s);
  for (const s of alsoWritten) if (s.id !== service.id) others.push(s);
  // Lowest free port first; on a retry (another writer claimed our pick) one of the lowest 16
  // free at random, so that writers racing for the same next port stop colliding.
  const ports = resolvePorts(service.spec, service.endpoint?.ports, others, {
    spread: tx.attempt > 1 ? 16 : 1,
  });
  service.endpoint = { ...service.endpoint, ports };
  return service;
}
