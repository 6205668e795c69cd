// `--with-registry-auth`: the credentials a service's tasks pull with, sealed exactly as a secret is
// (AES-256-GCM under the secrets data key, the auth's own id as additional data) and kept on the
// service document outside its spec. Opened only to resolve the image's digest and to send them to
// the nodes that run the service's tasks (dispatcher, kind registry-auth). Never logged or returned.
import type { Credentials } from '../../shared/engine/index.js';
import { FlotillaError } from '../../shared/errors/index.js';
import type { SealedRegistryAuth, Service } from '../../shared/model/index.js';
import { newId, type ObjectStore } from '../store/index.js';
import { openSecretData, sealSecretData } from './cipher.js';
import type { SecretsKeySource } from './data-key.js';

const aadId = (id: string) => `registry-auth/${id}`;

export async function sealRegistryAuth(
  keys: SecretsKeySource | undefined,
  registry: string,
  creds: Credentials,
): Promise<SealedRegistryAuth> {
  if (!keys)
    throw new FlotillaError('SECRET_KEY_UNAVAILABLE', { reason: 'this manager seals no secrets' });
  const { id: keyId, key } = await keys.current();
  const id = newId();
  const data = Buffer.from(JSON.stringify({ username: creds.username, password: creds.password }));
  return { id, registry, keyId, sealed: sealSecretData(key, aadId(id), data) };
}

export function openRegistryAuth(keys: SecretsKeySource, a: SealedRegistryAuth): Credentials {
  const doc = JSON.parse(
    openSecretData(keys.open(a.keyId), aadId(a.id), a.sealed).toString('utf8'),
  ) as Credentials;
  return { username: doc.username, password: doc.password };
}

/**
 * The auth a service keeps after a create or update: the one given (the same id when it holds the
 * same credentials, so nothing changes for the nodes), else the one it had (Docker keeps it too).
 */
export async function nextRegistryAuth(
  keys: SecretsKeySource | undefined,
  current: SealedRegistryAuth | undefined,
  given: { registry: string; creds: Credentials } | undefined,
): Promise<SealedRegistryAuth | undefined> {
  if (!given) return current;
  if (current && keys && current.registry === given.registry) {
    try {
      const had = openRegistryAuth(keys, current);
      if (had.username === given.creds.username && had.password === given.creds.password)
        return current;
    } catch {
      // A key that no longer opens it: seal the new ones.
    }
  }
  return sealRegistryAuth(keys, given.registry, given.creds);
}

/** A task's `pullAuthId` (`<serviceId>.<auth id>`) → the credentials, if the service still has them. */
export function registryAuthPayload(
  store: ObjectStore,
  keys: SecretsKeySource | undefined,
  pullAuthId: string,
): Buffer | undefined {
  const dot = pullAuthId.indexOf('.');
  const s: Service | undefined = store.get('service', pullAuthId.slice(0, dot));
  const a = s?.registryAuth;
  if (!a || !keys || a.id !== pullAuthId.slice(dot + 1)) return undefined;
  const c = openRegistryAuth(keys, a);
  return Buffer.from(JSON.stringify({ serveraddress: a.registry, ...c }));
}

/** A service as the API shows it: without its sealed registry credentials. */
export function withoutRegistryAuth<T extends Service>(s: T): Omit<T, 'registryAuth'> {
  if (!s.registryAuth) return s;
  const { registryAuth: _, ...rest } = s;
  return rest;
}
