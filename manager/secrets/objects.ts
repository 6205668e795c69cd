// Building, finding and showing secret and config documents. The data of a secret is sealed here
// and never leaves the manager again except to an agent that runs a task using it (dispatcher).
import { FlotillaError } from '../../shared/errors/index.js';
import {
  maxSecretBytes,
  secretNameProblem,
  type Config,
  type Secret,
} from '../../shared/model/index.js';
import { newId, type ObjectStore } from '../store/index.js';
import { sealSecretData } from './cipher.js';
import type { SecretsKeySource } from './data-key.js';
import type { FileKind } from './references.js';

export interface FileObjectInput {
  name: string;
  labels?: Record<string, string>;
  /** base64 */
  data: string;
}

/** Checks name, labels and size (SECRET_INVALID naming the field); returns the data bytes. */
export function checkFileObjectInput(kind: FileKind, input: FileObjectInput): Buffer {
  const problem = secretNameProblem(input.name ?? '');
  if (problem) throw new FlotillaError('SECRET_INVALID', { kind, field: 'name', reason: problem });
  for (const [k, v] of Object.entries(input.labels ?? {}))
    if (!k || typeof v !== 'string')
      throw new FlotillaError('SECRET_INVALID', {
        kind,
        field: `label ${k}`,
        reason: 'must be KEY=VALUE with a string value',
      });
  if (typeof input.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(input.data))
    throw new FlotillaError('SECRET_INVALID', { kind, field: 'data', reason: 'must be base64' });
  const data = Buffer.from(input.data, 'base64');
  if (data.length === 0)
    throw new FlotillaError('SECRET_INVALID', { kind, field: 'data', reason: 'must not be empty' });
  if (data.length > maxSecretBytes)
    throw new FlotillaError('SECRET_INVALID', {
      kind,
      field: 'data',
      reason: `${data.length} bytes is more than the limit of ${maxSecretBytes} (500 KiB)`,
    });
  return data;
}

export async function newSecret(keys: SecretsKeySource, input: FileObjectInput): Promise<Secret> {
  const data = checkFileObjectInput('secret', input);
  const { id: keyId, key } = await keys.current();
  const id = newId();
  const now = new Date().toISOString();
  return {
    id,
    version: 1,
    createdAt: now,
    updatedAt: now,
    spec: { name: input.name, labels: { ...input.labels } },
    sealed: sealSecretData(key, id, data),
    keyId,
    sizeBytes: data.length,
  };
}

export function newConfig(input: FileObjectInput): Config {
  const data = checkFileObjectInput('config', input);
  const now = new Date().toISOString();
  return {
    id: newId(),
    version: 1,
    createdAt: now,
    updatedAt: now,
    spec: { name: input.name, labels: { ...input.labels }, data: data.toString('base64') },
  };
}

/** What the API shows of a secret: never the sealed data (nor its size, as Docker). */
export function secretView(s: Secret) {
  return {
    id: s.id,
    version: s.version,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    spec: s.spec,
  };
}

/** Exact id, then exact name, then a unique id prefix (as docker). */
export function findFileObject<K extends FileKind>(
  store: ObjectStore,
  kind: K,
  ref: string,
): K extends 'secret' ? Secret : Config {
  type Out = K extends 'secret' ? Secret : Config;
  const byId = store.get(kind, ref);
  if (byId) return byId as Out;
  const named = store.claims(kind === 'secret' ? 'secrets' : 'configs').get(ref);
  const byName = named && store.get(kind, named);
  if (byName) return byName as Out;
  const hits = store.list(kind).filter((s) => s.id.startsWith(ref));
  if (hits.length === 1) return hits[0] as Out;
  if (hits.length > 1) throw new FlotillaError('SECRET_AMBIGUOUS', { kind, ref });
  throw new FlotillaError('SECRET_NOT_FOUND', { kind, name: ref });
}
