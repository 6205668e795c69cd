// Tasks, filtered by service (id, prefix or name), node and desired state.
import type { FastifyInstance } from 'fastify';
import { findNode, findService, type ApiDeps } from '../context.js';

interface TaskQuery {
  service?: string;
  node?: string;
  desiredState?: 'running' | 'shutdown' | 'remove';
}

export function taskRoutes(app: FastifyInstance, d: ApiDeps): void {
  app.get<{ Querystring: TaskQuery }>(
    '/tasks',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            service: { type: 'string' },
            node: { type: 'string' },
            desiredState: { type: 'string', enum: ['running', 'shutdown', 'remove'] },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const serviceId = q.service ? findService(d.store, q.service).id : undefined;
      const nodeId = q.node ? findNode(d.store, q.node).id : undefined;
      return d.store
        .list('task')
        .filter(
          (t) =>
            (!serviceId || t.serviceId === serviceId) &&
            (!nodeId || t.nodeId === nodeId) &&
            (!q.desiredState || t.desiredState === q.desiredState),
        )
        .sort(
          (a, b) =>
            a.serviceId.localeCompare(b.serviceId) ||
            a.slot - b.slot ||
            b.createdAt.localeCompare(a.createdAt),
        );
    },
  );
}
