// GET /events: the cluster's events as NDJSON, in Docker's shape and with Docker's query: `since`
// and `until` (seconds since the epoch, fractions allowed) and `filters` (JSON: {"type":
// ["service"]} or {"type": {"service": true}}). With `since`, the manager's bounded history first;
// then live events until `until` (or until the client goes away).
import type { FastifyInstance } from 'fastify';
import { FlotillaError } from '../../../shared/errors/index.js';
import { streamEventWindow } from '../../../shared/events/index.js';
import type { ClusterEvent } from '../../events/index.js';
import type { ApiDeps } from '../context.js';

interface EventsQuery {
  since?: string;
  until?: string;
  filters?: string;
}

const filterKeys = ['type', 'event', 'service', 'node', 'scope'] as const;
type Filters = Partial<Record<(typeof filterKeys)[number], string[]>>;

export function eventRoutes(app: FastifyInstance, d: ApiDeps): void {
  app.get<{ Querystring: EventsQuery }>(
    '/events',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            since: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' },
            until: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' },
            filters: { type: 'string' },
          },
        },
      },
    },
    async (req, reply) => {
      const events = d.events;
      if (!events)
        throw new FlotillaError('INVALID_ARGUMENT', { detail: 'this manager keeps no events' });
      const filters = parseFilters(req.query.filters);
      const matches = matcher(filters, d);
      const sinceMs = req.query.since === undefined ? undefined : Number(req.query.since) * 1000;
      const untilMs = req.query.until === undefined ? Infinity : Number(req.query.until) * 1000;
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson' });
      // Not awaited: the handler has handed the response over; the window ends it on its own.
      void streamEventWindow({ events, sinceMs, untilMs, matches, res: reply.raw, req: req.raw });
    },
  );
}

/** Docker's filter JSON: {"key": ["v"]} or {"key": {"v": true}}; unknown keys are refused. */
function parseFilters(text: string | undefined): Filters {
  if (!text) return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new FlotillaError('INVALID_ARGUMENT', { detail: `filters: not JSON: ${text}` });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new FlotillaError('INVALID_ARGUMENT', { detail: 'filters: expected a JSON object' });
  const out: Filters = {};
  for (const [k, v] of Object.entries(doc)) {
    if (!(filterKeys as readonly string[]).includes(k))
      throw new FlotillaError('INVALID_ARGUMENT', {
        detail: `invalid filter '${k}' (events take ${filterKeys.join(', ')})`,
      });
    const values = Array.isArray(v) ? v : typeof v === 'object' && v ? Object.keys(v) : [v];
    out[k as keyof Filters] = values.map(String);
  }
  return out;
}

/** Values of one key are alternatives (OR); different keys must all match (AND), as Docker. */
function matcher(f: Filters, d: ApiDeps): (e: ClusterEvent) => boolean {
  const serviceIds = (refs: string[]) =>
    new Set(
      refs.flatMap((r) => {
        const byName = d.store.serviceByName(r);
        return byName ? [byName.id, r] : [r];
      }),
    );
  const nodeIds = (refs: string[]) =>
    new Set(
      refs.flatMap((r) => [
        r,
        ...d.store
          .list('node')
          .filter((n) => n.description.hostname === r)
          .map((n) => n.id),
      ]),
    );
  return (e) => {
    if (f.type && !f.type.includes(e.Type)) return false;
    if (f.event && !f.event.includes(e.Action)) return false;
    if (f.scope && !f.scope.includes(e.scope)) return false;
    const a = e.Actor.Attributes;
    if (f.service) {
      const ids = serviceIds(f.service);
      const id = e.Type === 'service' ? e.Actor.ID : a['com.docker.swarm.service.id'];
      if (!id || !(ids.has(id) || (e.Type === 'service' && ids.has(a.name)))) return false;
    }
    if (f.node) {
      const ids = nodeIds(f.node);
      const id = e.Type === 'node' ? e.Actor.ID : a['com.docker.swarm.node.id'];
      if (!id || !(ids.has(id) || (e.Type === 'node' && ids.has(a.name)))) return false;
    }
    return true;
  };
}
