// The registry client against a real docker-registry behind a proxy that drops connections,
// corrupts blob bytes and answers 503/429: resume, verification and retries.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../shared/errors/index.js';
import { silentLogger } from '../../../shared/log/index.js';
import { parseReference } from '../../../agent/image/reference/index.js';
import { HttpRegistryClient } from '../../../agent/image/registry/index.js';
import type { ImageReference } from '../../../agent/image/registry/index.js';
import { startFaultyProxy, type FaultyProxy } from '../../harness/faulty-proxy.js';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { makeImage, pushImage, readAll, sha256, type TestImage } from './fixtures.js';

let registry: RunningRegistry;
let proxy: FaultyProxy;
let client: HttpRegistryClient;
let image: TestImage;
let ref: ImageReference;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultyProxy(registry.url);
  client = new HttpRegistryClient({
    log: silentLogger(),
    insecureRegistries: [],
    credentials: () => undefined,
    retryPolicy: { retries: 4, baseDelayMs: 20, maxDelayMs: 200, maxRetryAfterMs: 5000 },
  });
  image = makeImage({ layerSizes: [1000, 3 * 1024 * 1024 + 17] });
  ref = parseReference(`${proxy.host}/faulty:v1`);
  await pushImage(client, ref, image);
});

beforeEach(() => {
  proxy.reset();
  proxy.requests.length = 0;
});

afterAll(async () => {
  client?.close();
  await proxy?.stop();
  await registry?.stop();
});

describe('registry client through a faulty proxy', () => {
  it('resumes a blob cut mid-stream with a Range request and returns the exact bytes', async () => {
    const layer = image.layers[1]!;
    proxy.cutBlobOnce(100_000);
    const bytes = await readAll(client.openBlob(ref, layer.descriptor));
    expect(bytes.length).toBe(layer.descriptor.size);
    expect(bytes.equals(layer.bytes)).toBe(true);
    const blobGets = proxy.requests.filter((r) => r.method === 'GET' && r.url.includes('/blobs/'));
    expect(blobGets[0]!.fault).toBe('cut');
    expect(blobGets[0]!.range).toBeUndefined();
    expect(blobGets.length).toBeGreaterThanOrEqual(2);
    const resumed = blobGets[1]!.range;
    expect(resumed).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(resumed!)![0])).toBeGreaterThan(0);
    expect(blobGets[1]!.status).toBe(206);
  });

  it('restarts from zero when the resumed request is answered with 200, skipping sent bytes', async () => {
    const layer = image.layers[1]!;
    proxy.cutBlobOnce(250_000);
    proxy.ignoreRangeOnce();
    const bytes = await readAll(client.openBlob(ref, layer.descriptor));
    expect(bytes.equals(layer.bytes)).toBe(true);
    const blobGets = proxy.requests.filter((r) => r.method === 'GET' && r.url.includes('/blobs/'));
    expect(blobGets[1]!.range).toMatch(/^bytes=\d+-$/);
    expect(blobGets[1]!.status).toBe(200);
  });

  it('rejects corrupted blob bytes with BLOB_DIGEST_MISMATCH', async () => {
    proxy.corruptBlobs(1);
    const err = await readAll(client.openBlob(ref, image.layers[0]!.descriptor)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).code).toBe('BLOB_DIGEST_MISMATCH');
    expect((err as FlotillaError).message).toContain(image.layers[0]!.descriptor.digest);
    expect((err as FlotillaError).retryable).toBe(true);
  });

  it('rejects a descriptor whose size does not match the blob with BLOB_SIZE_MISMATCH', async () => {
    const real = image.layers[0]!.descriptor;
    const err = await readAll(client.openBlob(ref, { ...real, size: real.size - 10 })).catch(
      (e: unknown) => e,
    );
    expect((err as FlotillaError).code).toBe('BLOB_SIZE_MISMATCH');
    const short = await readAll(client.openBlob(ref, { ...real, size: real.size + 10 })).catch(
      (e: unknown) => e,
    );
    expect((short as FlotillaError).code).toBe('BLOB_SIZE_MISMATCH');
    expect((short as FlotillaError).params.actual).toBe(real.size);
  });

  it('retries 503 twice and then succeeds', async () => {
    proxy.failNext(503, 2);
    const resolved = await client.resolve(ref);
    expect(resolved.manifestDigest).toBe(image.manifestDigest);
    expect(proxy.requests.filter((r) => r.fault === 'status')).toHaveLength(2);
    expect(proxy.requests.at(-1)!.status).toBe(200);
  });

  it('honours 429 with Retry-After and then succeeds', async () => {
    proxy.failNext(429, 1, { retryAfterSeconds: 0, match: /\/blobs\// });
    const config = await client.fetchSmallBlob(ref, image.config.descriptor);
    expect(sha256(config)).toBe(image.config.descriptor.digest);
    expect(proxy.requests.filter((r) => r.fault === 'status')).toHaveLength(1);
  });

  it('gives up on persistent 503 with a retryable REGISTRY_UNAVAILABLE', async () => {
    proxy.failNext(503, 100);
    const err = await client.resolve(ref).catch((e: unknown) => e);
    expect((err as FlotillaError).code).toBe('REGISTRY_UNAVAILABLE');
    expect((err as FlotillaError).retryable).toBe(true);
    expect(proxy.requests.filter((r) => r.fault === 'status')).toHaveLength(5);
  });

  it('reports a rate limit beyond the Retry-After ceiling as REGISTRY_RATE_LIMITED', async () => {
    proxy.failNext(429, 100, { retryAfterSeconds: 3600 });
    const err = await client.resolve(ref).catch((e: unknown) => e);
    expect((err as FlotillaError).code).toBe('REGISTRY_RATE_LIMITED');
    expect((err as FlotillaError).message).toContain('retry after (s) 3600');
  });

  it('stops a blob download when the signal aborts', async () => {
    const controller = new AbortController();
    const stream = client.openBlob(ref, image.layers[1]!.descriptor, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.doneBytes > 0) controller.abort();
      },
    });
    const err = await readAll(stream).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
  });
});
