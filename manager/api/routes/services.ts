// Services: create (spec checked field by field), list with replica counts, inspect, update with a
// version check, remove. Tasks are the orchestrator's; nothing here creates or deletes them.
import type { FastifyInstance } from 'fastify';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Service, ServiceSpec, Task } from '../../../shared/model/index.js';
import { assignPorts } from '../../ingress/index.js';
import { assignVips, liveNetworks, resolveNetworks } from '../../networks/index.js';
import { resolveFileReferences, withoutRegistryAuth } from '../../secrets/index.js';
import { checkServiceSpec, newId, type StoreCore } from '../../store/index.js';
import type { ResolveImageMode } from '../../images/index.js';
import { findService, type ApiDeps } from '../context.js';
import {
  prepareServiceImage,
  registryAuthSchema,
  resolveImageSchema,
  type RegistryAuthInput,
} from './service-image.js';

const idParam = {
  params: {
    type: 'object',
    properties: { id: { type: 'string', minLength: 1 } },
    required: ['id'],
  },
};
const specBody = {
  type: 'object',
  required: ['spec'],
  properties: {
    spec: { type: 'object' },
    registryAuth: registryAuthSchema,
    resolveImage: resolveImageSchema,
  },
};

/** What create and update take beside the spec: Docker's X-Registry-Auth and QueryRegistry. */
interface ImageOptions {
  /** `--with-registry-auth`: credentials for the image's registry (sealed, never shown). */
  registryAuth?: RegistryAuthInput[];
  /** @default always (create), changed (update) */
  resolveImage?: ResolveImageMode;
}

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
      .map((s) => ({ ...withoutRegistryAuth(s), serviceStatus: serviceStatus(d.store, s, tasks) }));
  });

  app.get<{ Params: { id: string } }>('/services/:id', { schema: idParam }, async (req) => {
    const s = findService(d.store, req.params.id);
    return { ...withoutRegistryAuth(s), serviceStatus: serviceStatus(d.store, s) };
  });

  app.post<{ Body: { spec: ServiceSpec } & ImageOptions }>(
    '/services',
    { schema: { body: specBody } },
    async (req, reply) => {
      checkServiceSpec(req.body.spec);
      const image = await prepareServiceImage(d, req.log, req.body.spec, {
        mode: req.body.resolveImage ?? 'always',
        auths: req.body.registryAuth,
      });
      const spec = resolveNetworks(image.spec, liveNetworks(d.store));
      const now = new Date().toISOString();
      const service: Service = {
        id: newId(),
        version: 1,
        createdAt: now,
        updatedAt: now,
        spec,
        ...(image.registryAuth ? { registryAuth: image.registryAuth } : {}),
      };
      await d.store.update((tx) => {
        const resolved = { ...service, spec: resolveFileReferences(tx, service.spec) };
        tx.create('service', assignVips(tx, assignPorts(tx, d.store, resolved)));
      });
      req.log.info({ serviceId: service.id, name: service.spec.name }, 'service created');
      return reply
        .status(201)
        .send({ id: service.id, warnings: image.warning ? [image.warning] : [] });
    },
  );

  app.post<{
    Params: { id: string };
    Body: { spec: ServiceSpec; version: number } & ImageOptions;
  }>(
    '/services/:id/update',
    {
      schema: {
        ...idParam,
        body: {
          type: 'object',
          required: ['spec', 'version'],
          properties: {
            ...specBody.properties,
            version: { type: 'integer' },
          },
        },
      },
    },
    async (req) => {
      checkServiceSpec(req.body.spec);
      const found = findService(d.store, req.params.id);
      const id = found.id;
      const image = await prepareServiceImage(d, req.log, req.body.spec, {
        mode: req.body.resolveImage ?? 'changed',
        auths: req.body.registryAuth,
        current: found,
      });
      const spec = resolveNetworks(image.spec, liveNetworks(d.store));
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
        // Sealed from the service as it was read; a concurrent update is caught by the version.
        if (image.registryAuth) next.registryAuth = image.registryAuth;
        tx.update('service', assignVips(tx, assignPorts(tx, d.store, next)));
        return next;
      });
      req.log.info({ serviceId: id, version: updated.version }, 'service updated');
      return { id, version: updated.version, warnings: image.warning ? [image.warning] : [] };
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
