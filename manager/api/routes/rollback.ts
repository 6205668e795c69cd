// `service rollback`: makes the previous spec current under a new version and marks the update
// status rollback_started; the updater (manager/update) then replaces tasks with the rollback
// config. Done here, in one transaction, so the swap and the status can't be seen apart.
import type { FastifyInstance } from 'fastify';
import { FlotillaError } from '../../../shared/errors/index.js';
import { assignVips } from '../../networks/index.js';
import { assignPorts } from '../../ingress/index.js';
import { resolveFileReferences } from '../../secrets/index.js';
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
      const s = await d.store.update((tx) => {
        const cur = tx.get('service', id);
        if (!cur) throw new FlotillaError('SERVICE_NOT_FOUND', { id });
        if (given !== undefined && cur.version !== given)
          throw new FlotillaError('SERVICE_VERSION_MISMATCH', {
            id,
            current: cur.version,
            given,
          });
        if (!cur.previousSpec)
          throw new FlotillaError('SERVICE_NO_PREVIOUS_SPEC', { name: cur.spec.name });
        const now = new Date().toISOString();
        const version = cur.version + 1;
        const next = {
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
        tx.update('service', assignVips(tx, assignPorts(tx, d.store, next)));
        return next;
      });
      req.log.info({ serviceId: id, version: s.version }, 'service rollback requested');
      return { id, version: s.version, warnings: [] };
    },
  );
}
