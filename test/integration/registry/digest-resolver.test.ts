// The manager's digest resolver (image pinning) against a real docker-registry with htpasswd auth:
// the right credentials give the tag's digest, none or wrong ones are refused, a moved tag gives
// the new digest, and a registry that is not there fails instead of hanging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../shared/errors/index.js';
import { silentLogger } from '../../../shared/log/index.js';
import { parseReference } from '../../../agent/image/reference/index.js';
import { HttpRegistryClient } from '../../../agent/image/registry/index.js';
import { HttpDigestResolver } from '../../../manager/images/index.js';
import { freePort, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { makeImage, pushImage } from './fixtures.js';

let registry: RunningRegistry;
const good = { username: 'flotilla', password: 's3cret pass' };

beforeAll(async () => {
  registry = await startRegistry({ auth: good });
});
afterAll(async () => {
  await registry?.stop();
});

describe('resolving an image digest on a registry that requires a login', () => {
  it('gives the digest the tag names now, with the credentials', async () => {
    const client = new HttpRegistryClient({
      log: silentLogger(),
      insecureRegistries: [],
      credentials: () => good,
    });
    const ref = parseReference(`${registry.host}/private/app:v1`);
    const one = makeImage({ layerSizes: [300] });
    await pushImage(client, ref, one);
    const resolver = new HttpDigestResolver({ insecureRegistries: [] });
    const image = `${registry.host}/private/app:v1`;
    expect(await resolver.digestOf(image, good)).toBe(one.manifestDigest);

    const two = makeImage({ layerSizes: [400] });
    await pushImage(client, ref, two);
    expect(await resolver.digestOf(image, good)).toBe(two.manifestDigest);
    client.close();
  });

  it('is refused without credentials or with wrong ones', async () => {
    const resolver = new HttpDigestResolver({ insecureRegistries: [] });
    const image = `${registry.host}/private/app:v1`;
    for (const creds of [undefined, { username: 'flotilla', password: 'wrong' }]) {
      const err = await resolver.digestOf(image, creds).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlotillaError);
      expect((err as FlotillaError).code).toBe('REGISTRY_UNAUTHORIZED');
    }
  });

  it('fails at once when nothing listens there', async () => {
    const resolver = new HttpDigestResolver({ insecureRegistries: [], timeoutMs: 5000 });
    const err = await resolver
      .digestOf(`127.0.0.1:${await freePort()}/app:v1`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
  });
});
