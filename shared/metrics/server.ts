// Serves a registry in the Prometheus text format at GET /metrics on --metrics-addr: plain HTTP
// without authentication, as Docker's --metrics-addr, so it is meant for loopback or a scrape
// network; any other address is logged as a warning at start. Nothing secret is in a metric.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../log/index.js';
import { splitHostPort } from '../net/host-port.js';
import type { MetricsRegistry } from './registry.js';

export interface MetricsServerDeps {
  registry: MetricsRegistry;
  /** host:port; port 0 picks a free one (see `address`). */
  listen: string;
  log: Logger;
}

export class MetricsServer {
  private app?: FastifyInstance;
  /** host:port actually bound, after start(). */
  address = '';

  constructor(private readonly deps: MetricsServerDeps) {}

  async start(): Promise<void> {
    const { registry, log } = this.deps;
    const [host, port] = splitHostPort(this.deps.listen);
    const app = Fastify({ logger: false });
    app.get('/metrics', async (_req, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
    await app.listen({ host, port });
    const a = app.server.address();
    this.address = typeof a === 'object' && a ? `${host}:${a.port}` : this.deps.listen;
    this.app = app;
    const loopback = host === 'localhost' || host.startsWith('127.') || host === '::1';
    if (!loopback)
      log.warn(
        { addr: this.address },
        'metrics served without authentication on a non-loopback address',
      );
    else log.info({ addr: this.address }, 'metrics listening');
  }

  async stop(): Promise<void> {
    await this.app?.close();
  }
}
