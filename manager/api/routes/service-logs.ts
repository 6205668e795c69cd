// GET /services/:id/logs: the logs of every task of a service, read from each task's agent over
// its session stream (the dispatcher's log requests), as NDJSON. Without follow the lines of all
// tasks are merged by timestamp; with follow they are written as they arrive. A task whose node
// cannot be reached yields one `{ error }` record instead of lines, so the rest still come.
//
// GET /nodes/:id/containers/:cid/logs: one container's log as NDJSON batches `{ lines }` (an
// `{ error }` record if it fails midway). Managers forward to each other through it
// (manager/api/forwarded-logs.ts); `local=true` answers only from this manager's own sessions.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FlotillaError, toFlotillaError } from '../../../shared/errors/index.js';
import type { Task } from '../../../shared/model/index.js';
import { findService, type ApiDeps } from '../context.js';

export interface LogsQuery {
  follow?: boolean;
  tail?: string;
  since?: number;
}

/** One line of the NDJSON stream. */
export interface ServiceLogRecord {
  taskId: string;
  slot: number;
  nodeId: string;
  node: string;
  stream: 'stdout' | 'stderr';
  time: string;
  line: string;
}

export function serviceLogRoutes(app: FastifyInstance, d: ApiDeps): void {
  app.get<{ Params: { id: string }; Querystring: LogsQuery }>(
    '/services/:id/logs',
    {
      schema: {
        params: {
          type: 'object',
          properties: { id: { type: 'string', minLength: 1 } },
          required: ['id'],
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            follow: { type: 'boolean' },
            tail: { type: 'string', pattern: '^(all|[0-9]+)$' },
            since: { type: 'number', minimum: 0 },
          },
        },
      },
    },
    async (req, reply) => serveServiceLogs(d, req.params.id, req.query, req, reply),
  );
}

/** Streams the logs of service REF's tasks as NDJSON (also the dashboard's log panel). */
export async function serveServiceLogs(
  d: ApiDeps,
  ref: string,
  q: LogsQuery,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const service = findService(d.store, ref);
  const source = d.nodeLogs?.source;
  if (!source)
    throw new FlotillaError('NODE_LOGS_UNAVAILABLE', {
      nodeId: '',
      reason: 'this manager runs no dispatcher',
    });
  const tail = q.tail && q.tail !== 'all' ? Number(q.tail) : undefined;
  const tasks = d.store
    .list('task')
    .filter((t) => t.serviceId === service.id && t.nodeId && t.status.containerId)
    .sort((a, b) => a.slot - b.slot || a.createdAt.localeCompare(b.createdAt));
  const ac = new AbortController();
  req.raw.on('close', () => ac.abort());
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const write = (o: unknown) => {
    if (!res.writableEnded) res.write(JSON.stringify(o) + '\n');
  };
  const collected: ServiceLogRecord[] = [];
  const readTask = async (t: Task) => {
    const nodeId = t.nodeId!;
    const node = d.store.get('node', nodeId)?.description.hostname ?? nodeId;
    try {
      const batches = source.containerLogs(nodeId, t.status.containerId!, {
        tail,
        follow: q.follow,
        since: q.since,
        signal: ac.signal,
      });
      for await (const lines of batches)
        for (const l of lines) {
          const rec: ServiceLogRecord = {
            taskId: t.id,
            slot: t.slot,
            nodeId,
            node,
            stream: l.stream,
            time: l.time,
            line: l.text,
          };
          if (q.follow) write(rec);
          else collected.push(rec);
        }
    } catch (err) {
      if (ac.signal.aborted) return;
      const e = toFlotillaError(err);
      write({ taskId: t.id, slot: t.slot, nodeId, node, error: e.toJSON() });
    }
  };
  await Promise.all(tasks.map(readTask));
  collected.sort((a, b) => a.time.localeCompare(b.time));
  for (const r of collected) write(r);
  res.end();
}

interface ContainerLogsQuery {
  local?: boolean;
  follow?: boolean;
  tail?: number;
  since?: number;
}

export function nodeContainerLogRoutes(app: FastifyInstance, d: ApiDeps): void {
  app.get<{ Params: { id: string; cid: string }; Querystring: ContainerLogsQuery }>(
    '/nodes/:id/containers/:cid/logs',
    {
      schema: {
        params: {
          type: 'object',
          properties: {
            id: { type: 'string', minLength: 1 },
            cid: { type: 'string', pattern: '^[0-9a-f]{12,64}$' },
          },
          required: ['id', 'cid'],
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            local: { type: 'boolean' },
            follow: { type: 'boolean' },
            tail: { type: 'integer', minimum: 0 },
            since: { type: 'number', minimum: 0 },
          },
        },
      },
    },
    async (req, reply) => {
      const source = d.nodeLogs?.source;
      if (!source)
        throw new FlotillaError('NODE_LOGS_UNAVAILABLE', {
          nodeId: req.params.id,
          reason: 'this manager runs no dispatcher',
        });
      const q = req.query;
      const ac = new AbortController();
      req.raw.on('close', () => ac.abort());
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      try {
        const batches = source.containerLogs(req.params.id, req.params.cid, {
          tail: q.tail,
          follow: q.follow,
          since: q.since,
          signal: ac.signal,
          localOnly: q.local,
        });
        for await (const lines of batches)
          if (!res.writableEnded) res.write(JSON.stringify({ lines }) + '\n');
      } catch (err) {
        if (!ac.signal.aborted && !res.writableEnded)
          res.write(JSON.stringify({ error: toFlotillaError(err).toJSON() }) + '\n');
      }
      res.end();
    },
  );
}
