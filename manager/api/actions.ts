// Operator actions shared by the API routes and the dashboard: scale, rollback, node
// availability. Each is one store transaction; callers log and audit.
import { FlotillaError } from '../../shared/errors/index.js';
import type { Node, Service } from '../../shared/model/index.js';
import { assignPorts } from '../ingress/index.js';
import { assignVips } from '../networks/index.js';
import { resolveFileReferences } from '../secrets/index.js';
import type { StoreCore, StoreTx } from '../store/index.js';

/**
 * One service change in one transaction: finds the service, checks the version the caller saw
 * (optimistic concurrency, as Docker's `?version=`), lets `change` derive the next service, and
 * stores it with its ports and VIPs assigned.
 * @throws SERVICE_NOT_FOUND, SERVICE_VERSION_MISMATCH when `given` is not the current version.
 */
function changeService(
  store: StoreCore,
  id: string,
  given: number | undefined,
  change: (tx: StoreTx, cur: Service) => Service,
): Promise<Service> {
  return store.update((tx) => {
    const cur = tx.get('service', id);
    if (!cur) throw new FlotillaError('SERVICE_NOT_FOUND', { id });
    if (given !== undefined && cur.version !== given)
      throw new FlotillaError('SERVICE_VERSION_MISMATCH', { id, current: cur.version, given });
    const next = change(tx, cur);
    tx.update('service', assignVips(tx, assignPorts(tx, store, next)));
    return next;
  });
}

/**
 * Makes the previous spec current under a new version and marks the update status
 * rollback_started; the updater then replaces tasks with the rollback config.
 * @throws SERVICE_VERSION_MISMATCH when `given` is not the current version.
 */
export async function rollbackService(
  store: StoreCore,
  id: string,
  given?: number,
): Promise<Service> {
  return changeService(store, id, given, (tx, cur) => {
    if (!cur.previousSpec)
      throw new FlotillaError('SERVICE_NO_PREVIOUS_SPEC', { name: cur.spec.name });
    const now = new Date().toISOString();
    const version = cur.version + 1;
    return {
      ...cur,
      // The previous spec's secrets must still exist (SECRET_NOT_FOUND otherwise).
      spec: resolveFileReferences(tx, cur.previousSpec),
      previousSpec: cur.spec,
      version,
      updatedAt: now,
      updateStatus: {
        state: 'rollback_started' as const,
        startedAt: now,
        message: 'manually requested rollback',
        serviceVersion: version,
      },
    };
  });
}

/** `service scale`: a service update that changes only the replica count (as Docker's). */
export async function scaleService(
  store: StoreCore,
  id: string,
  replicas: number,
  given?: number,
): Promise<Service> {
  return changeService(store, id, given, (_tx, cur) => {
    if (!('replicated' in cur.spec.mode))
      throw new FlotillaError('INVALID_ARGUMENT', {
        detail: `${cur.spec.name}: scale can only be used with replicated mode`,
      });
    return {
      ...cur,
      previousSpec: cur.spec,
      spec: { ...cur.spec, mode: { replicated: { replicas } } },
      version: cur.version + 1,
      updatedAt: new Date().toISOString(),
    };
  });
}

/** `node update --availability`. */
export async function setNodeAvailability(
  store: StoreCore,
  id: string,
  availability: Node['spec']['availability'],
): Promise<Node> {
  return store.update((tx) => {
    const n = tx.get('node', id);
    if (!n) throw new FlotillaError('NODE_NOT_FOUND', { id });
    n.spec.availability = availability;
    n.version += 1;
    n.updatedAt = new Date().toISOString();
    tx.update('node', n);
    return n;
  });
}
