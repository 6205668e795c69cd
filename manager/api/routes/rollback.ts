// `service rollback` (POST /services/:id/rollback): the transaction is ../actions.ts's, shared
// with the dashboard; the updater (manager/update) then replaces tasks with the rollback config.
import type { FastifyInstance } from 'fastify';
import { rollbackService } from '../actions.js';
import { findService, type ApiDeps } from '../context.js';

export function rollbackRoutes(app: FastifyInstance, d: ApiDeps): void {
  app.post<{ Params: { id: string }; Body: { version?: number } | undefined }>(
    '/services/:id/rollback',
    {
      schema: {
        params: {
          type: 'object',
          properties: { id: { type: 'string', minLength: 1 } },
          required: ['id'],
        },
      },
    },
    async (req) => {
      const id = findService(d.store, req.params.id).id;
      const given = req.body?.version;
      const s = await rollbackService(d.store, id, given);
      req.log.info({ serviceId: id, version: s.version }, 'service rollback requested');
      return { id, version: s.version, warnings: [] };
    },
  );
}
