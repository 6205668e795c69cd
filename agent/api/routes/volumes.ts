// Volume routes of the local engine API (Docker's /volumes shapes).
import type { FastifyInstance } from 'fastify';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { ContainerRuntime } from '../../runtime/index.js';
import type { RoutePlugin } from '../server.js';
import { queryBool } from '../query-bool.js';
import { listVolumes } from '../queries/volumes.js';

export function volumeRoutes(runtime: ContainerRuntime): RoutePlugin {
  return (app: FastifyInstance) => {
    app.post('/volumes/create', async (req) => {
      const b = (req.body ?? {}) as { Name?: string; Labels?: Record<string, string> };
      return runtime.volumes.create(b.Name, b.Labels);
    });
    // Docker's filters: all=true (every unused volume, not only anonymous ones), label, label!.
    app.post('/volumes/prune', async (req) => {
      const raw = (req.query as { filters?: string }).filters;
      let filters: Record<string, unknown> = {};
      try {
        filters = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch (err) {
        throw new FlotillaError(
          'INVALID_ARGUMENT',
          { detail: 'filters must be JSON' },
          { cause: err },
        );
      }
      const values = (k: string): string[] => {
        const v = filters[k];
        return v === undefined ? [] : Array.isArray(v) ? (v as string[]) : Object.keys(v as object);
      };
      for (const k of Object.keys(filters))
        if (!['all', 'label', 'label!'].includes(k))
          throw new FlotillaError('INVALID_ARGUMENT', {
            detail: `filter ${k} is not supported by volume prune (all, label, label! are)`,
          });
      const r = await runtime.volumes.prune({
        all: values('all').some((v) => v === 'true' || v === '1'),
        labels: [...values('label'), ...values('label!').map((l) => `!${l}`)],
      });
      return { ...r, SpaceReclaimed: 0 };
    });
    app.get('/volumes', async (req) =>
      listVolumes(runtime, (req.query as { filters?: string }).filters),
    );
    app.get('/volumes/:name', async (req) =>
      runtime.volumes.inspect((req.params as { name: string }).name),
    );
    app.delete('/volumes/:name', async (req, reply) => {
      const force = queryBool((req.query as { force?: string }).force);
      await runtime.volumes.remove((req.params as { name: string }).name, force);
      return reply.status(204).send();
    });
  };
}
