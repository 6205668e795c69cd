// The Docker schema2 manifest written for images that did not come from a registry (load, import),
// so every local image has a manifest, a config and gzip layer blobs, and can be pushed as is.
import { sha256 } from '../names.js';
import type { LayerRecord } from '../store/image-store.js';

export const dockerManifestType = 'application/vnd.docker.distribution.manifest.v2+json';
export const dockerConfigType = 'application/vnd.docker.container.image.v1+json';

export function buildManifest(
  config: { digest: string; size: number },
  layers: LayerRecord[],
): { bytes: Buffer; digest: string; mediaType: string } {
  const doc = {
    schemaVersion: 2,
    mediaType: dockerManifestType,
    config: { mediaType: dockerConfigType, size: config.size, digest: config.digest },
    layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
  };
  const bytes = Buffer.from(JSON.stringify(doc, null, 3));
  return { bytes, digest: sha256(bytes), mediaType: dockerManifestType };
}
