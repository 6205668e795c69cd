// What a service create/update or stack deploy does with a service's image before its transaction:
// keep the registry credentials it was given (`--with-registry-auth`, sealed), and pin its image to
// a digest (`--resolve-image` / `--no-resolve-image`). Network calls, so outside any transaction.
import type { Credentials } from '../../../shared/engine/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { SealedRegistryAuth, ServiceSpec } from '../../../shared/model/index.js';
import {
  pinImage,
  registryOf,
  resolveImageModes,
  type ResolveImageMode,
  type WarnLog,
} from '../../images/index.js';
import { nextRegistryAuth, openRegistryAuth, type SecretsKeySource } from '../../secrets/index.js';
import type { ApiDeps } from '../context.js';

/** Credentials the CLI read from the user's `flotilla login` store, one entry per registry. */
export interface RegistryAuthInput {
  registry: string;
  username: string;
  password: string;
}

export const registryAuthSchema = {
  type: 'array',
  maxItems: 64,
  items: {
    type: 'object',
    required: ['registry', 'username', 'password'],
    properties: {
      registry: { type: 'string', minLength: 1, maxLength: 255 },
      username: { type: 'string', maxLength: 4096 },
      password: { type: 'string', maxLength: 65536 },
    },
  },
} as const;
export const resolveImageSchema = { type: 'string', enum: [...resolveImageModes] } as const;

export interface PreparedImage {
  spec: ServiceSpec;
  registryAuth?: SealedRegistryAuth;
  warning?: string;
}

export async function prepareServiceImage(
  d: ApiDeps,
  log: WarnLog,
  spec: ServiceSpec,
  o: {
    mode?: ResolveImageMode;
    auths?: readonly RegistryAuthInput[];
    current?: { spec: ServiceSpec; registryAuth?: SealedRegistryAuth };
    /** The key to seal with (a dry run's throw-away one); default the cluster's. */
    keys?: SecretsKeySource;
  },
): Promise<PreparedImage> {
  const registry = registryOf(spec.taskTemplate.containerSpec.image);
  const given = o.auths?.find((a) => a.registry === registry);
  const creds: Credentials | undefined = given
    ? { username: given.username, password: given.password }
    : undefined;
  const keys = o.keys ?? d.secretsKey;
  let registryAuth: SealedRegistryAuth | undefined;
  try {
    registryAuth = await nextRegistryAuth(
      keys,
      o.current?.registryAuth,
      given && registry ? { registry, creds: creds! } : undefined,
    );
  } catch (err) {
    throw new FlotillaError(
      'SECRET_KEY_UNAVAILABLE',
      { reason: `registry credentials cannot be sealed: ${(err as Error).message}` },
      { cause: err },
    );
  }
  let resolveWith = creds;
  if (!resolveWith && registryAuth && registryAuth.registry === registry && keys)
    resolveWith = openRegistryAuth(keys, registryAuth);
  const pinned = await pinImage(spec, {
    mode: o.mode ?? 'always',
    current: o.current?.spec,
    credentials: resolveWith,
    resolver: d.images,
    log,
  });
  return { spec: pinned.spec, registryAuth, warning: pinned.warning };
}
