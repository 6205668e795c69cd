// A service spec's secret and config references, resolved inside the transaction that writes the
// spec: each name becomes the id of the object holding that name now (its claim is compared at
// commit, so a secret removed meanwhile makes the write retry and fail), and the defaults are
// filled in. Also: which services use an object (`rm` refuses while any does).
import { FlotillaError } from '../../shared/errors/index.js';
import type { FileReference, Service, ServiceSpec } from '../../shared/model/index.js';
import type { ObjectStore, StoreTx } from '../store/index.js';

export type FileKind = 'secret' | 'config';

const space = { secret: 'secrets', config: 'configs' } as const;
const field = { secret: 'secrets', config: 'configs' } as const;

/** The spec with every reference's id and defaults filled in. @throws SECRET_NOT_FOUND */
export function resolveFileReferences(tx: StoreTx, spec: ServiceSpec): ServiceSpec {
  const c = spec.taskTemplate.containerSpec;
  if (!c.secrets?.length && !c.configs?.length) return spec;
  const out = structuredClone(spec);
  const oc = out.taskTemplate.containerSpec;
  for (const kind of ['secret', 'config'] as const) {
    const refs = oc[field[kind]];
    if (!refs) continue;
    oc[field[kind]] = refs.map((r) => resolveOne(tx, kind, r));
  }
  return out;
}

function resolveOne(tx: StoreTx, kind: FileKind, r: Partial<FileReference>): FileReference {
  const name = r.name ?? '';
  const id = tx.claimOwner(space[kind], name);
  if (!id || (r.id && r.id !== id)) throw new FlotillaError('SECRET_NOT_FOUND', { kind, name });
  return {
    id,
    name,
    target: r.target || (kind === 'secret' ? name : `/${name}`),
    uid: r.uid || '0',
    gid: r.gid || '0',
    mode: r.mode ?? 0o444,
  };
}

/** Names of the services whose current spec references the object `id`, sorted. */
export function servicesUsing(store: ObjectStore, kind: FileKind, id: string): string[] {
  return store
    .list('service')
    .filter((s) => referencedIds(s, kind).has(id))
    .map((s) => s.spec.name)
    .sort();
}

export function referencedIds(s: Pick<Service, 'spec'>, kind: FileKind): Set<string> {
  const refs = s.spec.taskTemplate.containerSpec[field[kind]] ?? [];
  return new Set(refs.map((r) => r.id));
}
