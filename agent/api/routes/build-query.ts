// The query of POST /build as the docker CLI's classic builder, docker-py and `flotilla build`
// send it: what the builder honours becomes BuildRequest fields; anything else that asks for
// something (not empty, 0, false, {} or []) is refused by name, never dropped.
import { FlotillaError } from '../../../shared/errors/index.js';
import type { BuildRequest } from '../../image/build/index.js';
import { queryBool } from '../query-bool.js';

type Q = Record<string, string | string[] | undefined>;

/** Parameters that only ask for something when set to a value other than these. */
const unsupported: Record<string, string[]> = {
  remote: [''],
  pull: ['', '0', 'false'],
  squash: ['', '0', 'false'],
  cpusetcpus: [''],
  cpusetmems: [''],
  cpushares: ['', '0'],
  cpuquota: ['', '0'],
  cpuperiod: ['', '0'],
  memory: ['', '0'],
  memswap: ['', '0'],
  cgroupparent: [''],
  shmsize: ['', '0'],
  isolation: ['', 'default'],
  ulimits: ['', 'null', '[]'],
  cachefrom: ['', 'null', '[]'],
  extrahosts: [''],
  securityopt: [''],
  outputs: ['', 'null', '[]'],
  session: [''],
  version: ['', '1'],
};

function jsonObject(q: Q, key: string): Record<string, string> {
  const raw = q[key];
  if (typeof raw !== 'string' || raw === '' || raw === 'null') return {};
  try {
    const doc = JSON.parse(raw) as unknown;
    if (doc && typeof doc === 'object' && !Array.isArray(doc))
      return Object.fromEntries(
        Object.entries(doc as Record<string, unknown>).filter(([, v]) => v !== null),
      ) as Record<string, string>;
  } catch (err) {
    throw new FlotillaError(
      'INVALID_ARGUMENT',
      { detail: `${key} must be a JSON object` },
      { cause: err },
    );
  }
  throw new FlotillaError('INVALID_ARGUMENT', { detail: `${key} must be a JSON object` });
}

/** BuildRequest fields from the query (onStream and signal are the route's). */
export function buildQuery(q: Q): Omit<BuildRequest, 'onStream' | 'signal'> & { quiet: boolean } {
  for (const [key, unset] of Object.entries(unsupported))
    for (const v of ([] as string[]).concat(q[key] ?? []))
      if (!unset.includes(v.toLowerCase()))
        throw new FlotillaError('INVALID_ARGUMENT', {
          detail: `build parameter ${key}=${v} is not supported by Flotilla's builder`,
        });
  const platform = typeof q.platform === 'string' ? q.platform : '';
  if (platform !== '' && !platform.startsWith('linux/'))
    throw new FlotillaError('INVALID_ARGUMENT', {
      detail: `build platform "${platform}" is not supported: this builder builds linux images`,
    });
  const tags = ([] as string[])
    .concat(q.t ?? [])
    .flatMap((t) => t.split(','))
    .filter((t) => t !== '');
  const dockerfile =
    typeof q.dockerfile === 'string' ? q.dockerfile : typeof q.f === 'string' ? q.f : undefined;
  return {
    tags,
    dockerfile: dockerfile || undefined,
    buildArgs: jsonObject(q, 'buildargs'),
    labels: jsonObject(q, 'labels'),
    noCache: queryBool(q.nocache),
    target: typeof q.target === 'string' && q.target !== '' ? q.target : undefined,
    // `build -q`: no step output, only the image id as the stream (Docker's daemon).
    quiet: queryBool(q.q),
  };
}
