// A real docker-registry configured for token auth, with a token service started by the test:
// anonymous and authenticated tokens, push/mount/catalog scopes, token caching, wrong passwords.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../shared/errors/index.js';
import { silentLogger } from '../../../shared/log/index.js';
import { parseReference } from '../../../agent/image/reference/index.js';
import { HttpRegistryClient } from '../../../agent/image/registry/index.js';
import type { Credentials } from '../../../agent/image/registry/index.js';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { makeImage, pushImage, readAll, sha256 } from './fixtures.js';
import { startTokenServer, type TokenServer } from './token-server.js';

let dir: string;
let tokens: TokenServer;
let registry: RunningRegistry;

function clientWith(creds?: Credentials): HttpRegistryClient {
  return new HttpRegistryClient({
    log: silentLogger(),
    insecureRegistries: [],
    credentials: () => creds,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-token-'));
  tokens = await startTokenServer(dir, { alice: 'wonderland' });
  registry = await startRegistry({
    tokenAuth: {
      realm: tokens.realm,
      service: tokens.service,
      issuer: tokens.issuer,
      rootCertBundlePath: tokens.certPath,
    },
  });
});

afterAll(async () => {
  await registry?.stop();
  await tokens?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('registry with bearer token auth', () => {
  it('pushes with push scopes, mounts with a from-repo scope, pulls with a cached token', async () => {
    const client = clientWith({ username: 'alice', password: 'wonderland' });
    const image = makeImage({ layerSizes: [2000] });
    const base = parseReference(`${registry.host}/team/base:v1`);
    await pushImage(client, base, image);
    expect(tokens.requests.some((r) => r.scopes.includes('repository:team/base:pull,push'))).toBe(
      true,
    );
    expect(tokens.requests.every((r) => r.user === 'alice')).toBe(true);

    const app = parseReference(`${registry.host}/team/app:v1`);
    const { outcomes } = await pushImage(client, app, image, { mountFrom: 'team/base' });
    expect(outcomes).toEqual(['mounted', 'mounted']);
    expect(
      tokens.requests.some(
        (r) =>
          r.scopes.includes('repository:team/app:pull,push') &&
          r.scopes.includes('repository:team/base:pull'),
      ),
    ).toBe(true);

    const before = tokens.requests.length;
    const resolved = await client.resolve(app);
    const layer = await readAll(client.openBlob(app, resolved.layers[0]!));
    await client.resolve(app);
    expect(sha256(layer)).toBe(image.layers[0]!.descriptor.digest);
    // One pull token, reused for every later manifest and blob request.
    expect(tokens.requests.length - before).toBe(1);
    expect(tokens.requests.at(-1)!.scopes).toEqual(['repository:team/app:pull']);
    client.close();
  });

  it('pulls anonymously with an anonymous token and searches with the catalog scope', async () => {
    const client = clientWith(undefined);
    const resolved = await client.resolve(parseReference(`${registry.host}/team/app:v1`));
    expect(resolved.layers).toHaveLength(1);
    expect(tokens.requests.at(-1)!.user).toBeUndefined();
    expect(await client.search(registry.host, 'team/')).toEqual(['team/app', 'team/base']);
    expect(tokens.requests.at(-1)!.scopes).toEqual(['registry:catalog:*']);
    client.close();
  });

  it('rejects a wrong password at the token service, for pulls and for login', async () => {
    const client = clientWith({ username: 'alice', password: 'nope' });
    const err = await client
      .resolve(parseReference(`${registry.host}/team/app:v1`))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).code).toBe('REGISTRY_UNAUTHORIZED');
    const login = await client
      .login(registry.host, { username: 'alice', password: 'nope' })
      .catch((e: unknown) => e);
    expect((login as FlotillaError).code).toBe('REGISTRY_LOGIN_FAILED');
    await client.login(registry.host, { username: 'alice', password: 'wonderland' });
    client.close();
  });
});
