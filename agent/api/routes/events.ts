// GET /events: the agent's events (containers, images, volumes, networks) as Docker's NDJSON
// stream, for the flotilla CLI and Docker clients alike. `since`/`until` are seconds since the
// epoch (fractions allowed); with `since` the bounded history comes first, then live events
// until `until` (or until the client goes away). `filters` is Docker's JSON.
import type { FastifyInstance } from 'fastify';
import type { EngineEventLog } from '../../events/index.js';
import { eventFilterKeys, type EngineEventMessage } from '../../../shared/engine/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import { streamEventWindow } from '../../../shared/events/index.js';
import type { RoutePlugin } from '../server.js';
import { parseFilters } from '../queries/containers.js';

type Q = Record<string, string | undefined>;

function seconds(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (!/^\d+(\.\d+)?$/.test(v))
    throw new FlotillaError('INVALID_ARGUMENT', { detail: `${name}: not a Unix timestamp: ${v}` });
  return Number(v) * 1000;
}

/** Values of one key are alternatives; different keys must all match (Docker's events filter). */
export function eventMatcher(filters: Map<string, string[]>): (e: EngineEventMessage) => boolean {
  const actorIs = (e: EngineEventMessage, type: string, refs: string[]) =>
    e.Type === type &&
    refs.some((r) => e.Actor.ID === r || e.Actor.ID.startsWith(r) || e.Actor.Attributes.name === r);
  return (e) =>
    [...filters].every(([key, values]) => {
      const a = e.Actor.Attributes;
      switch (key) {
        case 'type':
          return values.includes(e.Type);
        case 'event':
          return values.includes(e.Action);
        case 'scope':
          return values.includes(e.scope);
        case 'container':
          return actorIs(e, 'container', values) || values.includes(a.container ?? '\0');
        case 'image':
          return (
            actorIs(e, 'image', values) ||
            (e.Type === 'container' &&
              values.some((v) => a.image === v || a.image === `${v}:latest`))
          );
        case 'volume':
          return actorIs(e, 'volume', values);
        case 'network':
          return actorIs(e, 'network', values);
        case 'label':
          return values.some((l) => {
            const [k, v] = l.split(/=(.*)/);
            return v === undefined ? k in a : a[k] === v;
          });
        default:
          return false;
      }
    });
}

export function eventRoutes(events: EngineEventLog): RoutePlugin {
  return (app: FastifyInstance) => {
    app.get('/events', async (req, reply) => {
      const q = req.query as Q;
      const sinceMs = seconds('since', q.since);
      const untilMs = seconds('until', q.until) ?? Infinity;
      const matches = eventMatcher(
        parseFilters(q.filters, (k) => (eventFilterKeys as readonly string[]).includes(k)),
      );
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      });
      await streamEventWindow({ events, sinceMs, untilMs, matches, res: reply.raw, req: req.raw });
    });
  };
}
