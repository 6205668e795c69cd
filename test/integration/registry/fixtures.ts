// Small synthetic images for registry tests: random layer bytes, a config naming the platform,
// and a schema2 or OCI manifest built over them. The registry checks references, not layer contents.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { HttpRegistryClient } from '../../../agent/image/registry/index.js';
import { mediaTypes } from '../../../agent/image/registry/index.js';
import type {
  BlobSource,
  Descriptor,
  ImageReference,
  Platform,
} from '../../../agent/image/registry/index.js';

export interface TestImage {
  config: { descriptor: Descriptor; bytes: Buffer };
  layers: Array<{ descriptor: Descriptor; bytes: Buffer }>;
  manifestMediaType: string;
  manifestBytes: Buffer;
  manifestDigest: string;
  platform: Platform;
}

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function blob(bytes: Buffer, mediaType: string): { descriptor: Descriptor; bytes: Buffer } {
  return { descriptor: { mediaType, digest: sha256(bytes), size: bytes.length }, bytes };
}

export function source(b: { descriptor: Descriptor; bytes: Buffer }): BlobSource {
  return { descriptor: b.descriptor, open: () => Readable.from([b.bytes]) };
}

export function makeImage(
  opts: { platform?: Platform; layerSizes?: number[]; oci?: boolean } = {},
): TestImage {
  const platform = opts.platform ?? { os: 'linux', architecture: 'amd64' };
  const oci = opts.oci ?? false;
  const layers = (opts.layerSizes ?? [1500, 70_000]).map((n) =>
    blob(randomBytes(n), oci ? mediaTypes.ociLayerGzip : mediaTypes.dockerLayerGzip),
  );
  const configJson = {
    ...platform,
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.descriptor.digest) },
  };
  const config = blob(
    Buffer.from(JSON.stringify(configJson)),
    oci ? mediaTypes.ociConfig : mediaTypes.dockerConfig,
  );
  const manifestMediaType = oci ? mediaTypes.ociManifest : mediaTypes.dockerManifest;
  const manifestBytes = Buffer.from(
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: manifestMediaType,
        config: config.descriptor,
        layers: layers.map((l) => l.descriptor),
      },
      null,
      3, // unusual indentation: proves digests are taken over exact bytes, never re-serialised
    ),
  );
  return {
    config,
    layers,
    manifestMediaType,
    manifestBytes,
    manifestDigest: sha256(manifestBytes),
    platform,
  };
}

/** Pushes the blobs then the manifest; returns each blob's push outcome. */
export async function pushImage(
  client: HttpRegistryClient,
  ref: ImageReference,
  image: TestImage,
  opts: { mountFrom?: string } = {},
): Promise<{ outcomes: string[]; digest: string }> {
  const outcomes: string[] = [];
  for (const b of [...image.layers, image.config])
    outcomes.push(await client.pushBlob(ref, source(b), opts));
  const digest = await client.pushManifest(ref, image.manifestMediaType, image.manifestBytes);
  return { outcomes, digest };
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
