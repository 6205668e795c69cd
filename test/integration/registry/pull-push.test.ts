// Push and pull against a real docker-registry: round trips by tag and digest, HEAD skips,
// cross-repository mounts, platform selection from an index, not-found errors and search.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../shared/errors/index.js';
import { createLogger, silentLogger } from '../../../shared/log/index.js';
import { parseReference } from '../../../agent/image/reference/index.js';
import { HttpRegistryClient, mediaTypes } from '../../../agent/image/registry/index.js';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { makeImage, pushImage, readAll, sha256 } from './fixtures.js';

let registry: RunningRegistry;
let client: HttpRegistryClient;

beforeAll(async () => {
  registry = await startRegistry();
  client = new HttpRegistryClient({
    log: process.env.REGISTRY_TEST_DEBUG
      ? createLogger({ proc: 'test', level: 'debug' })
      : silentLogger(),
    insecureRegistries: [],
    credentials: () => undefined,
  });
});

afterAll(async () => {
  client?.close();
  await registry?.stop();
});

describe('registry client against docker-registry', () => {
  it('pushes an image and pulls it back by tag and by digest with identical bytes', async () => {
    const image = makeImage();
    const ref = parseReference(`${registry.host}/app:v1`);
    const { outcomes, digest } = await pushImage(client, ref, image);
    expect(outcomes).toEqual(['uploaded', 'uploaded', 'uploaded']);
    expect(digest).toBe(image.manifestDigest);

    const byTag = await client.resolve(ref);
    expect(byTag.manifestDigest).toBe(image.manifestDigest);
    expect(byTag.manifestMediaType).toBe(mediaTypes.dockerManifest);
    expect(byTag.manifestBytes.equals(image.manifestBytes)).toBe(true);
    expect(byTag.index).toBeUndefined();

    const byDigest = await client.resolve(parseReference(`${registry.host}/app@${digest}`));
    expect(byDigest.manifestDigest).toBe(digest);
    expect(byDigest.layers).toEqual(image.layers.map((l) => l.descriptor));

    const config = await client.fetchSmallBlob(ref, byDigest.config);
    expect(config.equals(image.config.bytes)).toBe(true);
    const progress: number[] = [];
    const layer = await readAll(
      client.openBlob(ref, byDigest.layers[1]!, { onProgress: (p) => progress.push(p.doneBytes) }),
    );
    expect(sha256(layer)).toBe(image.layers[1]!.descriptor.digest);
    expect(progress.at(-1)).toBe(image.layers[1]!.descriptor.size);
  });

  it('skips blobs the repository already has on a second push', async () => {
    const image = makeImage({ oci: true });
    const ref = parseReference(`${registry.host}/again:v1`);
    await pushImage(client, ref, image);
    const second = await pushImage(client, ref, image);
    expect(second.outcomes).toEqual(['exists', 'exists', 'exists']);
    expect(await client.hasBlob(ref, image.layers[0]!.descriptor.digest)).toBe(true);
    expect(await client.hasBlob(ref, sha256(Buffer.from('absent')))).toBe(false);
  });

  it('mounts blobs from another repository instead of uploading them', async () => {
    const image = makeImage();
    await pushImage(client, parseReference(`${registry.host}/base:v1`), image);
    const target = parseReference(`${registry.host}/derived:v1`);
    const { outcomes } = await pushImage(client, target, image, { mountFrom: 'base' });
    expect(outcomes).toEqual(['mounted', 'mounted', 'mounted']);
    expect((await client.resolve(target)).manifestDigest).toBe(image.manifestDigest);
  });

  it('falls back to an upload when the mount source lacks the blob', async () => {
    const image = makeImage({ layerSizes: [300] });
    const target = parseReference(`${registry.host}/fallback:v1`);
    const { outcomes } = await pushImage(client, target, image, { mountFrom: 'nothing-here' });
    expect(outcomes).toEqual(['uploaded', 'uploaded']);
  });

  it('selects each platform from an index and lists the platforms when none matches', async () => {
    const amd = makeImage({ oci: true, platform: { os: 'linux', architecture: 'amd64' } });
    const arm = makeImage({
      oci: true,
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    });
    const repo = `${registry.host}/multi`;
    for (const image of [amd, arm])
      await pushImage(client, parseReference(`${repo}@${image.manifestDigest}`), image);
    const indexBytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: mediaTypes.ociIndex,
        manifests: [
          {
            mediaType: mediaTypes.ociManifest,
            digest: amd.manifestDigest,
            size: amd.manifestBytes.length,
            platform: amd.platform,
          },
          {
            mediaType: mediaTypes.ociManifest,
            digest: arm.manifestDigest,
            size: arm.manifestBytes.length,
            platform: { os: 'linux', architecture: 'arm64' },
          },
          {
            mediaType: mediaTypes.ociManifest,
            digest: amd.manifestDigest,
            size: amd.manifestBytes.length,
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
          },
        ],
      }),
    );
    const ref = parseReference(`${repo}:latest`);
    const indexDigest = await client.pushManifest(ref, mediaTypes.ociIndex, indexBytes);

    const onAmd = await client.resolve(ref, { platform: { os: 'linux', architecture: 'amd64' } });
    expect(onAmd.manifestDigest).toBe(amd.manifestDigest);
    expect(onAmd.index?.digest).toBe(indexDigest);
    expect(onAmd.index?.bytes.equals(indexBytes)).toBe(true);
    const onArm = await client.resolve(ref, {
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    });
    expect(onArm.manifestDigest).toBe(arm.manifestDigest);
    expect(onArm.config.digest).toBe(arm.config.descriptor.digest);

    const err = await client
      .resolve(ref, { platform: { os: 'linux', architecture: 's390x' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).code).toBe('NO_MATCHING_PLATFORM');
    expect((err as FlotillaError).message).toContain('available: linux/amd64, linux/arm64');
    expect((err as FlotillaError).message).not.toContain('unknown');
  });

  it('reports an unknown tag as IMAGE_NOT_FOUND naming the image and the registry', async () => {
    const err = await client
      .resolve(parseReference(`${registry.host}/app:nope`))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).code).toBe('IMAGE_NOT_FOUND');
    expect((err as FlotillaError).message).toBe(
      `image ${registry.host}/app:nope was not found on ${registry.host}`,
    );
    const missingRepo = await client
      .resolve(parseReference(`${registry.host}/never-pushed`))
      .catch((e: unknown) => e);
    expect((missingRepo as FlotillaError).code).toBe('IMAGE_NOT_FOUND');
  });

  it('refuses a by-digest pull whose digest is not in the registry', async () => {
    const err = await client
      .resolve(parseReference(`${registry.host}/app@${sha256(Buffer.from('x'))}`))
      .catch((e: unknown) => e);
    expect((err as FlotillaError).code).toBe('IMAGE_NOT_FOUND');
  });

  it('searches the catalogue across pages', async () => {
    const found = await client.search(registry.host, '');
    expect(found).toEqual(expect.arrayContaining(['app', 'again', 'base', 'derived', 'multi']));
    expect(await client.search(registry.host, 'deriv')).toEqual(['derived']);
    expect(await client.search(registry.host, 'a', { limit: 2 })).toHaveLength(2);
  });
});
