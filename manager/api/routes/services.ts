// Services: create (spec checked field by field), list with replica counts, inspect, update with a
// version check, remove. Tasks are the orchestrator's; nothing here creates or deletes them.
import type { FastifyInstance } from 'fastify';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Service, ServiceSpec, Task } from '../../../shared/model/index.js';
import { assignPorts } from '../../ingress/index.js';
import { assignVips, liveNetworks, resolveNetworks } from '../../networks/index.js';
import { resolveFileReferences } from '../../secrets/index.js';
import { checkServiceSpec, newId, type StoreCore } from '../../store/index.js';
import { findService, type ApiDeps } from '../context.js';

const idParam = {
  params: {
    type: 'object',
    properties: { id: { type: 'string', minLength: 1 } },
    required: ['id'],
  },
};
const specBody = { type: 'object', required: ['spec'], properties: { spec: { type: 'object' } } };

/** Docker's ServiceStatus: tasks running now, and how many should be. */
export function serviceStatus(store: StoreCore, s: Service, tasks?: Task[]) {
  const mine = (tasks ?? store.list('task')).filter((t) => t.serviceId === s.id);
  const running = mine.filter((t) => t.desiredState === 'running' && t.status.state === 'running');
  const desired =
    'replicated' in s.spec.mode
      ? s.spec.mode.replicated.replicas
      : mine.filter((t) => t.desiredState === 'running').length;
  return { runningTasks: running.length, desiredTasks: desired };
}

export function serviceRoutes(app: FastifyInstance, d: ApiDeps): void {
  app.get('/services', { schema: {} }, async () => {
    const tasks = d.store.list('task');
    return d.store
      .list('service')
      .sort((a, b) => a.spec.name.localeCompare(b.spec.name))
      .map((s) => ({ ...s, serviceStatus: serviceStatus(d.store, s, tasks) }));
  });

  app.get<{ Params: { id: string } }>('/services/:id', { schema: idParam }, async (req) => {
    const s = findService(d.store, req.params.id);
    return { ...s, serviceStatus: serviceStatus(d.store, s) };
  });

  app.post<{ Body: { spec: ServiceSpec } }>(
    '/services',
    { schema: { body: specBody } },
    async (req, reply) => {
      checkServiceSpec(req.body.spec);
      const spec = resolveNetworks(req.body.spec, liveNetworks(d.store));
      const now = new Date().toISOString();
      const service: Service = { id: newId(), version: 1, createdAt: now, updatedAt: now, spec };
      await d.store.update((tx) => {
        const resolved = { ...service, spec: resolveFileReferences(tx, service.spec) };
        tx.create('service', assignVips(tx, assignPorts(tx, d.store, resolved)));
      });
      req.log.info({ serviceId: service.id, name: service.spec.name }, 'service created');
      return reply.status(201).send({ id: service.id, warnings: [] });
    },
  );

  app.post<{ Params: { id: string }; Body: { spec: ServiceSpec; version: number } }>(
    '/services/:id/update',
    {
      schema: {
        ...idParam,
        body: {
          type: 'object',
          required: ['spec', 'version'],
          properties: { spec: { type: 'object' }, version: { type: 'integer' } },
        },
      },
    },
    async (req) => {
      checkServiceSpec(req.body.spec);
      const spec = resolveNetworks(req.body.spec, liveNetworks(d.store));
      const id = findService(d.store, req.params.id).id;
      const updated = await d.store.update((tx) => {
        const cur = tx.get('service', id);
        if (!cur) throw new FlotillaError('SERVICE_NOT_FOUND', { id });
        if (cur.version !== req.body.version)
          throw new FlotillaError('SERVICE_VERSION_MISMATCH', {
            id,
            current: cur.version,
            given: req.body.version,
          });
        const next: Service = {
          ...cur,
          previousSpec: cur.spec,
          spec: resolveFileReferences(tx, spec),
          version: cur.version + 1,
          updatedAt: new Date().toISOString(),
        };
        tx.update('service', assignVips(tx, assignPorts(tx, d.store, next)));
        return next;
      });
      req.log.info({ serviceId: id, version: updated.version }, 'service updated');
      return { id, version: updated.version, warnings: [] };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/services/:id',
    { schema: idParam },
    async (req, reply) => {
      const id = findService(d.store, req.params.id).id;
      await d.store.update((tx) => {
        if (!tx.get('service', id)) throw new FlotillaError('SERVICE_NOT_FOUND', { id });
        tx.delete('service', id);
      });
      req.log.info({ serviceId: id }, 'service removed');
      return reply.status(204).send();
    },
  );
}
