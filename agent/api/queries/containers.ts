// The container listing both GET /containers/json routes answer (Flotilla's and Docker's): the
// filters, the limit (`ps -n`) and the sizes (`ps -s`), in one place so the two cannot drift.
import type { ImageService } from '../../image/index.js';
import type { ContainerRuntime, ContainerSummary } from '../../runtime/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import { queryBool } from '../query-bool.js';
import { filterContainers, isContainerFilterKey } from '../../../shared/engine/index.js';

export interface ContainerQuery {
  all: boolean;
  /** Docker's `limit`: the N most recently created, of every state (`ps -n N`, `ps -l`). */
  limit?: number;
  /** SizeRw and SizeRootFs on each summary (walks each writable layer: slower). */
  size: boolean;
  filters: Map<string, string[]>;
}

/**
 * Docker's `filters` query parameter: `{"label":["a=b"]}`, or the older `{"label":{"a=b":true}}`.
 * An unknown key is refused with Docker's message.
 */
export function parseFilters(
  raw: string | undefined,
  known: (key: string) => boolean,
): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  if (!raw) return filters;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (err) {
    throw new FlotillaError(
      'INVALID_ARGUMENT',
      { detail: `filters are not JSON: ${raw}` },
      { cause: err },
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new FlotillaError('INVALID_ARGUMENT', {
      detail: `filters are not a JSON object: ${raw}`,
    });
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (!known(key)) throw new FlotillaError('INVALID_FILTER', { filter: key });
    const values = Array.isArray(value)
      ? value.map(String)
      : typeof value === 'object' && value !== null
        ? Object.keys(value)
        : [String(value)];
    filters.set(key, values);
  }
  return filters;
}

/** The query parameters both routes take: all, limit, size, filters. */
export function containerQuery(q: Record<string, string | undefined>): ContainerQuery {
  const truthy = queryBool;
  const limit = q.limit === undefined || q.limit === '' ? undefined : Number(q.limit);
  if (limit !== undefined && !Number.isInteger(limit))
    throw new FlotillaError('INVALID_ARGUMENT', { detail: `limit must be an integer: ${q.limit}` });
  return {
    all: truthy(q.all),
    limit: limit !== undefined && limit > 0 ? limit : undefined,
    size: truthy(q.size),
    filters: parseFilters(q.filters, isContainerFilterKey),
  };
}

export async function listContainers(
  runtime: ContainerRuntime,
  images: ImageService,
  q: ContainerQuery,
): Promise<ContainerSummary[]> {
  const everything = await runtime.list({ all: true, size: q.size });
  // Docker lists stopped containers when asked for all, for a limit (`ps -n` "includes all
  // states") or for a status/exited filter. The runtime's order is newest first.
  const all = q.all || q.limit !== undefined || q.filters.has('status') || q.filters.has('exited');
  const base = all
    ? everything
    : everything.filter((c) => ['running', 'paused', 'restarting'].includes(c.state));
  const list = filterContainers(base, q.filters, everything);
  const limited = q.limit !== undefined ? list.slice(0, q.limit) : list;
  if (!q.size) return limited;
  // Docker's SizeRootFs: every file the container sees, its image's layers plus its own.
  const imageSize = new Map(images.list().map((i) => [i.Id, i.Size]));
  return limited.map((c) => ({
    ...c,
    sizeRootFs: (c.sizeRw ?? 0) + (imageSize.get(c.imageId) ?? 0),
  }));
}

/**
 * GET /containers/{id}/json for both routes; with `size` (Docker's `?size=1`, `inspect -s`) the
 * document gains SizeRw and SizeRootFs, the same numbers `ps -s` shows for the container.
 */
export async function inspectContainer(
  runtime: ContainerRuntime,
  images: ImageService,
  idOrName: string,
  size: boolean,
): Promise<Record<string, unknown>> {
  const doc = await runtime.inspect(idOrName);
  if (!size) return doc;
  const [c] = await listContainers(runtime, images, {
    all: true,
    size: true,
    filters: new Map([['id', [String(doc.Id)]]]),
  });
  return { ...doc, SizeRw: c?.sizeRw ?? 0, SizeRootFs: c?.sizeRootFs ?? 0 };
}
