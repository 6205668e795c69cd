// Docker's `ps --filter` keys over container summaries, in one place for the flotilla CLI and the
// Engine API's GET /containers/json: different keys must all match, values of one key match any.
import type { ContainerSummary } from './containers.js';

export const containerFilterKeys = [
  'id',
  'name',
  'label',
  'exited',
  'status',
  'ancestor',
  'before',
  'since',
  'volume',
  'network',
  'publish',
  'expose',
  'health',
  'is-task',
] as const;

/** The label the agent's executor puts on every task's container (agent/executor/labels.ts). */
const taskLabel = 'com.flotilla.task.id';

function portMatches(filter: string, port: number, protocol: string): boolean {
  const [range, proto] = filter.split('/');
  if (proto && proto !== protocol) return false;
  const [lo, hi = lo] = range.split('-').map(Number);
  return port >= lo && port <= hi;
}

function nameMatches(pattern: string, name: string): boolean {
  const p = pattern.replace(/^\//, '');
  try {
    return new RegExp(p).test(name);
  } catch {
    return name.includes(p);
  }
}

/** The container `ref` (id prefix or name) among `all`, for before/since. */
function find(all: ContainerSummary[], ref: string): ContainerSummary | undefined {
  return (
    all.find((c) => c.name === ref.replace(/^\//, '')) ?? all.find((c) => c.id.startsWith(ref))
  );
}

/** One `key=value`; `all` is every container, for before= and since=. */
export function matchContainer(
  s: ContainerSummary,
  key: string,
  v: string,
  all: ContainerSummary[],
): boolean {
  switch (key) {
    case 'status':
      return s.state === v;
    case 'name':
      return nameMatches(v, s.name);
    case 'id':
      return s.id.startsWith(v);
    case 'label': {
      const [lk, lv] = v.split(/=(.*)/);
      return lv === undefined ? lk in s.labels : s.labels[lk] === lv;
    }
    case 'ancestor':
      return (
        s.image === v ||
        s.image === `${v}:latest` ||
        s.imageId === v ||
        s.imageId.replace(/^sha256:/, '').startsWith(v.replace(/^sha256:/, ''))
      );
    case 'exited':
      return s.state === 'exited' && s.status.startsWith(`Exited (${v})`);
    case 'before':
    case 'since': {
      const ref = find(all, v);
      if (!ref || ref.id === s.id) return false;
      const d = Date.parse(s.createdAt) - Date.parse(ref.createdAt);
      return key === 'before' ? d < 0 : d > 0;
    }
    case 'volume':
      return (s.mounts ?? []).includes(v);
    case 'network':
      return (s.networks ?? []).includes(v);
    case 'publish':
      return s.ports.some((p) => p.hostPort > 0 && portMatches(v, p.hostPort, p.protocol));
    case 'expose':
      return [...(s.exposed ?? []), ...s.ports.map((p) => `${p.containerPort}/${p.protocol}`)].some(
        (e) => {
          const [port, proto = 'tcp'] = e.split('/');
          return portMatches(v, Number(port), proto);
        },
      );
    case 'health':
      return (s.health ?? 'none') === v;
    case 'is-task':
      return taskLabel in s.labels === (v === 'true' || v === '1');
    default:
      return false;
  }
}

/** The key a `--filter` value or Docker filter key names, if Docker has it. */
export function isContainerFilterKey(k: string): boolean {
  return (containerFilterKeys as readonly string[]).includes(k);
}

/** Keeps the containers that match every key (any value of a key). */
export function filterContainers(
  list: ContainerSummary[],
  filters: Map<string, string[]>,
  all: ContainerSummary[] = list,
): ContainerSummary[] {
  return list.filter((s) =>
    [...filters].every(([k, vs]) => vs.some((v) => matchContainer(s, k, v, all))),
  );
}
