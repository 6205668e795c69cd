// The dashboard's page and its API, all under /dashboard and all behind a session (access.ts):
// the page's three files, the live feed (server-sent events), a service's logs, and the actions
// (scale, rollback, node availability), each audited by the API's audit log as the session's admin.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  findNode,
  findService,
  rollbackService,
  scaleService,
  serveServiceLogs,
  setNodeAvailability,
  type ApiDeps,
} from '../api/index.js';
import { dashboardPrefix, requestSession } from './access.js';
import { assetNames, type AssetName, type DashboardAssets } from './assets.js';
import type { DashboardFeed } from './feed.js';

/** A page that cannot keep up this far behind is dropped (it reconnects to a snapshot). */
const maxBufferedBytes = 8 * 1024 * 1024;
/** A comment this often keeps idle proxies and the browser from closing a quiet stream. */
const keepAliveMs = 25_000;

const csp =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const idParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
  required: ['id'],
};

export function pageRoutes(
  app: FastifyInstance,
  d: ApiDeps,
  assets: DashboardAssets,
  feed: DashboardFeed,
): void {
  const sendAsset = (name: AssetName) => async (req: FastifyRequest, reply: FastifyReply) => {
    const a = assets.get(name);
    void reply
      .header('content-type', a.type)
      .header('etag', a.etag)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', csp)
      .header('referrer-policy', 'no-referrer');
    if (req.headers['if-none-match'] === a.etag) return reply.status(304).send();
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')))
      return reply
        .header('content-encoding', 'gzip')
        .header('vary', 'accept-encoding')
        .send(a.gzip);
    return reply.send(a.body);
  };
  app.get(dashboardPrefix, async (_req, reply) => reply.redirect(`${dashboardPrefix}/`, 302));
  app.get(`${dashboardPrefix}/`, sendAsset('index.html'));
  for (const name of assetNames.filter((n) => n !== 'index.html'))
    app.get(`${dashboardPrefix}/${name}`, sendAsset(name));

  app.get(`${dashboardPrefix}/api/session`, async (req, reply) => {
    const s = requestSession(req);
    void reply.header('cache-control', 'no-store');
    return {
      actor: s.identity.nodeId,
      csrf: s.csrf,
      expiresAt: new Date(s.expiresAtMs).toISOString(),
    };
  });

  app.get(`${dashboardPrefix}/api/feed`, async (req, reply) => {
    const s = requestSession(req);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    let leave = () => {};
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
    // The stream ends with the session; the page's next reconnect is then refused (401).
    const expiry = setTimeout(() => res.end(), Math.max(0, s.expiresAtMs - Date.now()));
    const done = () => {
      clearInterval(keepAlive);
      clearTimeout(expiry);
      leave();
    };
    req.raw.on('close', done);
    res.on('finish', done);
    leave = feed.join({
      send: (frame) => {
        if (res.writableEnded) return true;
        res.write(frame);
        return res.writableLength < maxBufferedBytes;
      },
      close: () => res.end(),
    });
  });

  app.get<{ Params: { id: string } }>(
    `${dashboardPrefix}/api/services/:id/logs`,
    { schema: { params: idParams } },
    async (req, reply) =>
      serveServiceLogs(d, req.params.id, { follow: true, tail: '100' }, req, reply),
  );

  app.post<{ Params: { id: string }; Body: { replicas: number; version?: number } }>(
    `${dashboardPrefix}/api/services/:id/scale`,
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['replicas'],
          properties: {
            replicas: { type: 'integer', minimum: 0, maximum: 100_000 },
            version: { type: 'integer' },
          },
        },
      },
    },
    async (req) => {
      const id = findService(d.store, req.params.id).id;
      const s = await scaleService(d.store, id, req.body.replicas, req.body.version);
      req.log.info(
        { serviceId: id, replicas: req.body.replicas },
        'service scaled from the dashboard',
      );
      return { id, version: s.version };
    },
  );

  app.post<{ Params: { id: string }; Body: { version?: number } }>(
    `${dashboardPrefix}/api/services/:id/rollback`,
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { version: { type: 'integer' } },
        },
      },
    },
    async (req) => {
      const id = findService(d.store, req.params.id).id;
      const s = await rollbackService(d.store, id, req.body.version);
      req.log.info({ serviceId: id, version: s.version }, 'service rollback from the dashboard');
      return { id, version: s.version };
    },
  );

  app.post<{ Params: { id: string }; Body: { availability: 'active' | 'pause' | 'drain' } }>(
    `${dashboardPrefix}/api/nodes/:id/availability`,
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['availability'],
          properties: { availability: { type: 'string', enum: ['active', 'pause', 'drain'] } },
        },
      },
    },
    async (req) => {
      const id = findNode(d.store, req.params.id).id;
      const n = await setNodeAvailability(d.store, id, req.body.availability);
      req.log.info(
        { nodeId: id, availability: n.spec.availability },
        'node availability set from the dashboard',
      );
      return { id, version: n.version, availability: n.spec.availability };
    },
  );

  app.post(`${dashboardPrefix}/api/logout`, async (req, reply) => {
    const s = requestSession(req);
    s.expiresAtMs = 0;
    return reply.status(204).send();
  });
}
