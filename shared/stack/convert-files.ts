// A stack's secrets and configs, as `docker stack deploy` turns them into Swarm objects: top-level
// entries become objects named `<stack>_<key>` (or `name:`; external ones are used as they are),
// and each service's short or long references become FileReferences with Docker's defaults
// (secret target = the key under /run/secrets, config target = /<key>). Reading the data (file:,
// environment:) is left to the caller; this module does no I/O.
import type { FileReference } from '../model/index.js';
import type { ComposeConfig, Dict } from './compose-types.js';

export interface StackFileObject {
  /** Name as written in the file. */
  key: string;
  /** Cluster-wide name: `<stack>_<key>`, the given `name:`, or the external name. */
  name: string;
  external: boolean;
  /** Absolute path (the loader resolved it against the stack file's directory). */
  file?: string;
  /** Name of the environment variable holding the content. */
  environment?: string;
  labels: Record<string, string>;
}

export function convertFileObjects(
  stack: string,
  cfg: ComposeConfig,
  kind: 'secrets' | 'configs',
  namespaceLabel: string,
): StackFileObject[] {
  return Object.entries(cfg[kind] ?? {}).map(([key, o]) => {
    const external = o.external === true;
    const given = typeof o.name === 'string' && o.name !== '' ? o.name : undefined;
    return {
      key,
      name: given ?? (external ? key : `${stack}_${key}`),
      external,
      ...(!external && typeof o.file === 'string' && !o.environment ? { file: o.file } : {}),
      ...(typeof o.environment === 'string' ? { environment: o.environment } : {}),
      labels: { ...((o.labels as Record<string, string>) ?? {}), [namespaceLabel]: stack },
    };
  });
}

/** A service's `secrets:` or `configs:` (normalised to {source, target, uid, gid, mode}). */
export function fileReferencesOf(
  refs: unknown,
  kind: 'secrets' | 'configs',
  objects: readonly StackFileObject[],
): FileReference[] | undefined {
  if (!Array.isArray(refs) || refs.length === 0) return undefined;
  const byKey = new Map(objects.map((o) => [o.key, o]));
  return (refs as Dict[]).map((r) => {
    const key = String(r.source ?? '');
    const target = typeof r.target === 'string' && r.target ? r.target : undefined;
    return {
      id: '',
      // An undeclared key stays as written: the manager refuses it by name (SECRET_NOT_FOUND).
      name: byKey.get(key)?.name ?? key,
      target: target ?? (kind === 'secrets' ? key : `/${key}`),
      uid: r.uid === undefined ? '0' : String(r.uid),
      gid: r.gid === undefined ? '0' : String(r.gid),
      mode: typeof r.mode === 'number' ? r.mode : 0o444,
    };
  });
}
