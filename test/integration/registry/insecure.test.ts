// HTTPS by default, never downgraded; a registry listed with --insecure-registry that speaks plain
// HTTP is reached after the HTTPS attempt fails. "127.1" reaches the loopback registry under a name
// the client does not treat as loopback, standing in for a LAN registry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../shared/errors/index.js';
import { silentLogger } from '../../../shared/log/index.js';
import { parseReference } from '../../../agent/image/reference/index.js';
import { HttpRegistryClient } from '../../../agent/image/registry/index.js';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { makeImage, pushImage } from './fixtures.js';

let registry: RunningRegistry;
let lanHost: string;

const clientWith = (insecureRegistries: string[]) =>
  new HttpRegistryClient({
    log: silentLogger(),
    insecureRegistries,
    credentials: () => undefined,
    retryPolicy: { retries: 1, baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 100 },
  });

beforeAll(async () => {
  registry = await startRegistry();
  lanHost = registry.host.replace('127.0.0.1', '127.1');
});
afterAll(async () => {
  await registry?.stop();
});

describe('insecure registries', () => {
  it('falls back to plain HTTP for a listed insecure registry', async () => {
    const client = clientWith([lanHost]);
    const image = makeImage({ layerSizes: [100] });
    const ref = parseReference(`${lanHost}/lan/app:v1`);
    await pushImage(client, ref, image);
    expect((await client.resolve(ref)).manifestDigest).toBe(image.manifestDigest);
    client.close();
  });

  it('never downgrades a registry that is not listed', async () => {
    const client = clientWith([]);
    const err = await client
      .resolve(parseReference(`${lanHost}/lan/app:v1`))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).code).toBe('REGISTRY_UNREACHABLE');
    expect((err as FlotillaError).hint).toContain(`--insecure-registry ${lanHost}`);
    client.close();
  });
});
