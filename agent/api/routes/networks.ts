// Network routes of the local engine API, Docker's /networks paths with our NetworkInfo bodies.
// The work is the network component's (local-networks.ts); this file only maps HTTP onto it.
import type { FastifyInstance } from 'fastify';
import type { LocalNetworkApi } from '../../network/index.js';
import type { RoutePlugin } from '../server.js';

type Params = { id: string };

export function networkRoutes(network: LocalNetworkApi): RoutePlugin {
  return (app: FastifyInstance) => {
    app.get('/networks', async () => network.listNetworks());
    app.post('/networks/create', async (req, reply) => {
      const b = (req.body ?? {}) as {
        name?: string;
        subnet?: string;
        labels?: Record<string, string>;
      };
      const info = await network.createNetwork({
        name: b.name ?? '',
        subnet: b.subnet || undefined,
        labels: b.labels,
      });
      return reply.status(201).send(info);
    });
    // Docker's shape: the docker CLI's `network prune` and `system prune` read NetworksDeleted.
    app.post('/networks/prune', async () => ({
      NetworksDeleted: await network.pruneNetworks(),
    }));
    app.get('/networks/:id', async (req) => network.inspectNetwork((req.params as Params).id));
    app.delete('/networks/:id', async (req, reply) => {
      await network.removeNetwork((req.params as Params).id);
      return reply.status(204).send();
    });
    app.post('/networks/:id/connect', async (req, reply) => {
      const b = (req.body ?? {}) as { container?: string; aliases?: string[] };
      await network.connect((req.params as Params).id, b.container ?? '', b.aliases ?? []);
      return reply.status(204).send();
    });
    app.post('/networks/:id/disconnect', async (req, reply) => {
      const b = (req.body ?? {}) as { container?: string };
      await network.disconnect((req.params as Params).id, b.container ?? '');
      return reply.status(204).send();
    });
  };
}
