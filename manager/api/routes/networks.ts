// Cluster networks: create (checked, then subnet, gateway and VNI allocated in the transaction that
// claims its name), list, inspect, remove (refused while a service attaches to it) and prune. Keys
// of encrypted networks never leave the store through here.
import type { FastifyInstance } from 'fastify';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Network } from '../../../shared/model/index.js';
import {
  createNetwork,
  findNetwork,
  hasLiveTasks,
  networkSpecOf,
  reservedFor,
  usersOf,
  attachedContainers,
  withoutKeys,
  type NetworkCreateRequest,
  type StoredNetwork,
} from '../../networks/index.js';
import type { ApiDeps } from '../context.js';

const idParam = {
  params: {
    type: 'object',
    properties: { id: { type: 'string', minLength: 1 } },
    required: ['id'],
  },
};

const createBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    driver: { type: 'string' },
    subnet: { type: 'string' },
    gateway: { type: 'string' },
    attachable: { type: 'boolean' },
    internal: { type: 'boolean' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    options: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

/** The network by id, name or unique id prefix (NETWORK_NOT_FOUND otherwise). */
export function networkByRef(d: ApiDeps, ref: string): Network {
  const live = (d.store.list('network') as StoredNetwork[]).filter((x) => !x.removing);
  const n = findNetwork(live, ref);
  if (!n) throw new FlotillaError('NETWORK_NOT_FOUND', { name: ref });
  return n;
}

/** What inspect adds: the services attached and their VIPs on this network. */
function inspectOf(d: ApiDeps, n: Network) {
  const services = d.store
    .list('service')
    .filter((s) => s.spec.taskTemplate.networks.some((a) => a.target === n.id))
    .map((s) => ({
      id: s.id,
      name: s.spec.name,
      vip: s.endpoint?.virtualIps?.find((v) => v.networkId === n.id)?.address ?? '',
    }));
  const tasks = d.store.list('task').flatMap((t) =>
    (t.networks ?? [])
      .filter((a) => a.networkId === n.id && t.status.state !== 'complete')
      .map((a) => ({
        taskId: t.id,
        nodeId: t.nodeId ?? '',
        address: a.address,
        state: t.status.state,
      })),
  );
  return { ...withoutKeys(n), services, tasks };
}

export function networkRoutes(app: FastifyInstance, d: ApiDeps): void {
  app.get('/networks', { schema: {} }, async () =>
    (d.store.list('network') as StoredNetwork[])
      .filter((n) => !n.removing)
      .map(withoutKeys)
      .sort((a, b) => a.spec.name.localeCompare(b.spec.name)),
  );

  app.get<{ Params: { id: string } }>('/networks/:id', { schema: idParam }, async (req) =>
    inspectOf(d, networkByRef(d, req.params.id)),
  );

  app.post<{ Body: NetworkCreateRequest }>(
    '/networks',
    { schema: { body: createBody } },
    async (req, reply) => {
      const spec = networkSpecOf(req.body);
      const reserved = reservedFor(d.ca.cluster);
      const n = await d.store.update((tx) =>
        createNetwork(
          tx,
          d.store,
          spec,
          () => d.ca.secretsKey('overlay-keys'),
          Date.now(),
          reserved,
        ),
      );
      req.log.info({ networkId: n.id, name: spec.name, subnet: n.subnet }, 'network created');
      return reply.status(201).send({ id: n.id, warnings: [] });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/networks/:id',
    { schema: idParam },
    async (req, reply) => {
      const n = networkByRef(d, req.params.id);
      await d.store.update((tx) => {
        if (!tx.get('network', n.id))
          throw new FlotillaError('NETWORK_NOT_FOUND', { name: req.params.id });
        const users = usersOf(n, d.store.list('service'));
        if (users.length)
          throw new FlotillaError('NETWORK_USED_BY_SERVICES', {
            name: n.spec.name,
            services: users.join(', '),
          });
        // Standalone containers hold addresses until they are removed (their agents detach them).
        const attached = attachedContainers(n.id, d.store.list('attachment'));
        if (attached.length)
          throw new FlotillaError('NETWORK_IN_USE', {
            name: n.spec.name,
            containers: attached.join(', '),
          });
        // Tasks of removed services still stopping: the leader deletes it after them.
        if (hasLiveTasks(n.id, d.store.list('task')))
          tx.update('network', markRemoving(tx.get('network', n.id)!));
        else tx.delete('network', n.id);
      });
      req.log.info({ networkId: n.id, name: n.spec.name }, 'network removed');
      return reply.status(204).send();
    },
  );

  app.post('/networks/prune', { schema: {} }, async (req) => {
    const services = d.store.list('service');
    const unused = (d.store.list('network') as StoredNetwork[]).filter(
      (n) =>
        !n.removing &&
        usersOf(n, services).length === 0 &&
        attachedContainers(n.id, d.store.list('attachment')).length === 0,
    );
    const removed: string[] = [];
    for (const n of unused)
      await d.store.update((tx) => {
        if (!tx.get('network', n.id) || usersOf(n, d.store.list('service')).length) return;
        if (attachedContainers(n.id, d.store.list('attachment')).length) return;
        if (hasLiveTasks(n.id, d.store.list('task')))
          tx.update('network', markRemoving(tx.get('network', n.id)!));
        else tx.delete('network', n.id);
        removed.push(n.spec.name);
      });
    if (removed.length) req.log.info({ count: removed.length }, 'networks pruned');
    return { removed: removed.sort() };
  });
}

/** The network marked for the reaper (manager/networks/reaper.ts). */
function markRemoving(n: Network): Network {
  const marked: StoredNetwork = { ...n, removing: true, version: n.version + 1 };
  return marked;
}
