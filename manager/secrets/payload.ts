// The bytes of one secret, config or service's registry credentials, for delivery to an agent over
// its session (the only place a secret is opened on the manager, besides resolving image digests).
import type { ObjectStore } from '../store/index.js';
import { openSecretData } from './cipher.js';
import type { SecretsKeySource } from './data-key.js';
import type { FileKind } from './references.js';
import { registryAuthPayload } from './registry-auth.js';

/** undefined when the object is gone; throws when the data key cannot open it. */
export function filePayload(
  store: ObjectStore,
  keys: SecretsKeySource | undefined,
  kind: FileKind | 'registry-auth',
  id: string,
): Buffer | undefined {
  if (kind === 'registry-auth') return registryAuthPayload(store, keys, id);
  if (kind === 'config') {
    const c = store.get('config', id);
    return c ? Buffer.from(c.spec.data, 'base64') : undefined;
  }
  const s = store.get('secret', id);
  if (!s || !keys) return undefined;
  return openSecretData(keys.open(s.keyId), s.id, s.sealed);
}
