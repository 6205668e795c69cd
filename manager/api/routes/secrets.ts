// Secrets and configs: create, list, inspect, remove. Both are immutable (no update route), and
// removal is refused while a service's spec references the object. A secret's data never comes
// back out of this API; a config's does (Docker shows it with `config inspect --pretty`).
import type { FastifyInstance } from 'fastify';
import { FlotillaError } from '../../../shared/errors/index.js';
import {
  findFileObject,
  newConfig,
  newSecret,
  secretView,
  servicesUsing,
  type FileKind,
  type FileObjectInput,
} from '../../secrets/index.js';
import type { ApiDeps } from '../context.js';

const refParam = {
  params: {
    type: 'object',
    properties: { ref: { type: 'string', minLength: 1 } },
    required: ['ref'],
  },
};
const createBody = {
  type: 'object',
  required: ['name', 'data'],
  properties: {
    name: { type: 'string' },
    data: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

export function secretRoutes(app: FastifyInstance, d: ApiDeps): void {
  fileObjectRoutes(app, d, 'secret');
}

export function configRoutes(app: FastifyInstance, d: ApiDeps): void {
  fileObjectRoutes(app, d, 'config');
}

function fileObjectRoutes(app: FastifyInstance, d: ApiDeps, kind: FileKind): void {
  const path = `/${kind}s`;
  const view = (o: Parameters<typeof secretView>[0] | ReturnType<typeof newConfig>) =>
    kind === 'secret' ? secretView(o as Parameters<typeof secretView>[0]) : o;

  app.get(path, { schema: {} }, async () =>
    d.store
      .list(kind)
      .sort((a, b) => a.spec.name.localeCompare(b.spec.name))
      .map(view),
  );

  app.get<{ Params: { ref: string } }>(`${path}/:ref`, { schema: refParam }, async (req) =>
    view(findFileObject(d.store, kind, req.params.ref)),
  );

  app.post<{ Body: FileObjectInput }>(
    path,
    { schema: { body: createBody } },
    async (req, reply) => {
      const doc = kind === 'secret' ? await newSecret(keys(d), req.body) : newConfig(req.body);
      await d.store.update((tx) => tx.create(kind, doc));
      // The name is logged, never the data.
      req.log.info({ [`${kind}Id`]: doc.id, name: doc.spec.name }, `${kind} created`);
      return reply.status(201).send({ id: doc.id });
    },
  );

  app.delete<{ Params: { ref: string } }>(
    `${path}/:ref`,
    { schema: refParam },
    async (req, reply) => {
      const found = findFileObject(d.store, kind, req.params.ref);
      await d.store.update((tx) => {
        if (!tx.get(kind, found.id))
          throw new FlotillaError('SECRET_NOT_FOUND', { kind, name: req.params.ref });
        const users = servicesUsing(d.store, kind, found.id);
        if (users.length > 0)
          throw new FlotillaError('SECRET_IN_USE', {
            kind,
            name: found.spec.name,
            services: users.join(', '),
          });
        tx.delete(kind, found.id);
      });
      req.log.info({ [`${kind}Id`]: found.id, name: found.spec.name }, `${kind} removed`);
      return reply.status(204).send();
    },
  );
}

function keys(d: ApiDeps) {
  if (!d.secretsKey)
    throw new FlotillaError('SECRET_KEY_UNAVAILABLE', {
      reason: 'this manager was started without its key-encryption key',
    });
  return d.secretsKey;
}
