// A docker-registry with htpasswd (basic) auth: anonymous access, wrong and right credentials.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../shared/errors/index.js';
import { silentLogger } from '../../../shared/log/index.js';
import { parseReference } from '../../../agent/image/reference/index.js';
import { HttpRegistryClient } from '../../../agent/image/registry/index.js';
import type { Credentials } from '../../../agent/image/registry/index.js';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { makeImage, pushImage } from './fixtures.js';

let registry: RunningRegistry;
const good = { username: 'flotilla', password: 's3cret pass' };

function clientWith(creds: Credentials | undefined): HttpRegistryClient {
  return new HttpRegistryClient({
    log: silentLogger(),
    insecureRegistries: [],
    credentials: (domain) => (domain === registry.host ? creds : undefined),
  });
}

beforeAll(async () => {
  registry = await startRegistry({ auth: good });
});
afterAll(async () => {
  await registry?.stop();
});

describe('registry with basic auth', () => {
  it('pushes and pulls with the right credentials', async () => {
    const client = clientWith(good);
    const image = makeImage({ layerSizes: [500] });
    const ref = parseReference(`${registry.host}/private/app:v1`);
    await pushImage(client, ref, image);
    expect((await client.resolve(ref)).manifestDigest).toBe(image.manifestDigest);
    await client.login(registry.host, good);
    client.close();
  });

  it('fails clearly without credentials', async () => {
    const client = clientWith(undefined);
    const err = await client
      .resolve(parseReference(`${registry.host}/private/app:v1`))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).code).toBe('REGISTRY_UNAUTHORIZED');
    expect((err as FlotillaError).message).toContain(`${registry.host}/private/app:v1`);
    expect((err as FlotillaError).hint).toContain(`flotilla login ${registry.host}`);
    client.close();
  });

  it('fails clearly with wrong credentials, without looping', async () => {
    const client = clientWith({ username: 'flotilla', password: 'wrong' });
    const err = await client
      .resolve(parseReference(`${registry.host}/private/app:v1`))
      .catch((e: unknown) => e);
    expect((err as FlotillaError).code).toBe('REGISTRY_UNAUTHORIZED');
    const login = await client
      .login(registry.host, { username: 'flotilla', password: 'wrong' })
      .catch((e: unknown) => e);
    expect((login as FlotillaError).code).toBe('REGISTRY_LOGIN_FAILED');
    expect((login as FlotillaError).message).toContain(`login to ${registry.host} failed`);
    client.close();
  });
});
