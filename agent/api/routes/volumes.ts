// Volume routes of the local engine API (Docker's /volumes shapes).
import type { FastifyInstance } from 'fastify';
import type { ContainerRuntime } from '../../runtime/index.js';
import type { RoutePlugin } from '../server.js';

export function volumeRoutes(runtime: ContainerRuntime): RoutePlugin {
  return (app: FastifyInstance) => {
    app.post('/volumes/create', async (req) => {
      const b = (req.body ?? {}) as { Name?: string; Labels?: Record<string, string> };
      return runtime.volumes.create(b.Name, b.Labels);
    });
    app.get('/volumes', async () => ({ Volumes: await runtime.volumes.list() }));
    app.get('/volumes/:name', async (req) =>
      runtime.volumes.inspect((req.params as { name: string }).name),
    );
    app.delete('/volumes/:name', async (req, reply) => {
      const force = (req.query as { force?: string }).force === '1';
      await runtime.volumes.remove((req.params as { name: string }).name, force);
      return reply.status(204).send();
    });
  };
}
