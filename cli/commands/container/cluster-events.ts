// `flotilla events` against a manager: the cluster's events (service, node, task) as Docker prints
// them, with --since/--until read as Docker reads them and --filter sent as Docker's filter JSON.
import { createInterface } from 'node:readline';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import { formatRows, isTemplate } from '../../format/render.js';

interface ClusterEventLine {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  timeNano: number;
}

export interface ClusterEventsOptions {
  since?: number;
  until?: number;
  filter?: string[];
  format?: string;
}

/** Docker's `key=value` filters as its JSON form: {"type": ["service", "node"]}. */
export function filtersJson(filters: string[] = []): string | undefined {
  if (filters.length === 0) return undefined;
  const out: Record<string, string[]> = {};
  for (const f of filters) {
    const i = f.indexOf('=');
    if (i <= 0)
      throw new FlotillaError('INVALID_FLAG_VALUE', {
        flag: '--filter',
        value: f,
        reason: 'expected key=value',
      });
    (out[f.slice(0, i)] ??= []).push(f.slice(i + 1));
  }
  return JSON.stringify(out);
}

/** One line as `docker events` prints it: time, type, action, id, (attributes). */
export function formatClusterEvent(e: ClusterEventLine, format?: string): string {
  if (format === 'json') return JSON.stringify(e);
  if (isTemplate(format)) return (formatRows(format, [e]) ?? '').replace(/\n$/, '');
  const ms = Math.floor(e.timeNano / 1e6);
  const nanos = String(e.timeNano % 1e9).padStart(9, '0');
  const time = new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${nanos}Z`);
  const attrs = Object.entries(e.Actor.Attributes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${time} ${e.Type} ${e.Action} ${e.Actor.ID} (${attrs})`;
}

/**
 * Streams GET /events of a manager (the cluster's events) or, with `from: 'agent'`, of the agent
 * (its containers, images, volumes and networks): both answer Docker's events.Message lines.
 */
export async function streamClusterEvents(
  c: CliContext,
  o: ClusterEventsOptions,
  from: 'manager' | 'agent' = 'manager',
): Promise<void> {
  formatRows(o.format, []); // a template that does not parse fails before the stream opens
  const request = {
    path: '/events',
    query: {
      since: o.since === undefined ? undefined : String(o.since),
      until: o.until === undefined ? undefined : String(o.until),
      filters: filtersJson(o.filter),
    },
  };
  const res =
    from === 'agent' ? await c.agent().open(request) : await managerClient(c).stream(request);
  for await (const line of createInterface({ input: res, crlfDelay: Infinity }))
    if (line)
      c.out.write(formatClusterEvent(JSON.parse(line) as ClusterEventLine, o.format) + '\n');
}
