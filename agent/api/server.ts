// The agent's local engine API: fastify on a unix socket (mode 0660, owned by root). Routes are
// plugins from ./routes; every error leaves as JSON { code, kind, message, hint }.
import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { FlotillaError, toFlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import { rewriteDockerUrl, sendError } from './docker/index.js';

export type RoutePlugin = (app: FastifyInstance) => void | Promise<void>;

export class AgentApiServer {
  private app?: FastifyInstance;

  constructor(private readonly deps: { socketPath: string; log: Logger; routes: RoutePlugin[] }) {}

  async start(): Promise<void> {
    const app = Fastify({
      loggerInstance: this.deps.log.child({ component: 'api' }) as unknown as FastifyBaseLogger,
      bodyLimit: 64 * 1024 * 1024,
      // Docker clients' /v1.NN/... paths (agent/api/docker/rewrite.ts).
      rewriteUrl: (req) => rewriteDockerUrl(req.method ?? 'GET', req.url ?? '/'),
    });
    // Raw bodies (tar archives for load/import/build) are streamed to the handler untouched.
    app.addContentTypeParser('application/octet-stream', (_req, payload, done) =>
      done(null, payload),
    );
    app.addContentTypeParser('application/x-tar', (_req, payload, done) => done(null, payload));
    // docker-py labels a build context `application/tar`.
    app.addContentTypeParser('application/tar', (_req, payload, done) => done(null, payload));
    app.setErrorHandler((err, request, reply) => {
      const fe =
        err instanceof FlotillaError
          ? err
          : (err as { validation?: unknown }).validation
            ? new FlotillaError('INVALID_ARGUMENT', { detail: (err as Error).message })
            : toFlotillaError(err);
      if (fe.kind === 'internal') request.log.error({ err }, 'request failed');
      else request.log.debug({ err: fe.message, code: fe.code }, 'request refused');
      sendError(request.originalUrl, reply, fe);
    });
    app.setNotFoundHandler((request, reply) => {
      const fe = new FlotillaError('INVALID_ARGUMENT', {
        detail: `no such API route ${request.method} ${request.url}`,
      });
      sendError(request.originalUrl, reply, fe, 404);
    });
    for (const plugin of this.deps.routes) await plugin(app);
    await mkdir(dirname(this.deps.socketPath), { recursive: true });
    await rm(this.deps.socketPath, { force: true });
    await app.listen({ path: this.deps.socketPath });
    await chmod(this.deps.socketPath, 0o660);
    this.app = app;
  }

  async stop(): Promise<void> {
    await this.app?.close();
  }
}
