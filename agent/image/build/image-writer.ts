// Turns build results into stored image parts: a layer tar becomes an unpacked layer plus a gzip
// blob (the same path `load` and `import` take), and a finished config becomes a config blob, a
// schema2 manifest and an image record. Nothing here decides what goes into a layer.
import { FlotillaError } from '../../../shared/errors/index.js';
import { storeLayerFile } from '../archive/layer-file.js';
import { buildManifest, dockerConfigType } from '../archive/manifest.js';
import { chainIdOf } from '../layers/index.js';
import { refString, sha256 } from '../names.js';
import { bufferStream } from '../pull.js';
import { parseReference } from '../reference/index.js';
import type { BlobStore, ImageConfig, LayerApplier } from '../service-types.js';
import type { ImageRecord, ImageStore, LayerRecord } from '../store/image-store.js';
import type { WrittenLayer } from './layer-tar.js';

export interface ImageWriterDeps {
  content: BlobStore;
  layers: LayerApplier;
  store: ImageStore;
}

/** Stores a written layer tar on top of `parentChainId`. */
export async function storeBuiltLayer(
  deps: ImageWriterDeps,
  parentChainId: string | undefined,
  layer: WrittenLayer,
): Promise<LayerRecord> {
  const chainId = chainIdOf(parentChainId, layer.diffId);
  return storeLayerFile(deps, layer.file, { parentChainId, diffId: layer.diffId, chainId });
}

/** The canonical bytes of a config: its digest is the image id. */
export function configBytes(config: ImageConfig): Buffer {
  return Buffer.from(JSON.stringify(config));
}

export function imageIdOf(config: ImageConfig): string {
  return sha256(configBytes(config));
}

/**
 * Writes config and manifest blobs and records the image, tagging it with `tags` (moving each tag
 * off any other image). Returns the image id.
 */
export async function writeImage(
  deps: ImageWriterDeps,
  config: ImageConfig,
  layers: LayerRecord[],
  tags: string[],
): Promise<ImageRecord> {
  if (config.rootfs.diff_ids.length !== layers.length)
    throw new FlotillaError('INTERNAL', { detail: 'rootfs.diff_ids and layers disagree' });
  const bytes = configBytes(config);
  const id = sha256(bytes);
  await deps.content.ingest({ digest: id, size: bytes.length }, bufferStream(bytes));
  const manifest = buildManifest({ digest: id, size: bytes.length }, layers);
  await deps.content.ingest(
    { digest: manifest.digest, size: manifest.bytes.length },
    bufferStream(manifest.bytes),
  );
  const created = config.created ?? new Date().toISOString();
  const rec: ImageRecord = {
    id,
    manifestDigest: manifest.digest,
    manifestMediaType: manifest.mediaType,
    configMediaType: dockerConfigType,
    layers,
    repoTags: tags.map((t) => refString(parseReference(t))),
    repoDigests: [],
    created,
    sizeBytes: layers.reduce((a, l) => a + l.sizeBytes, 0),
    sourceRepos: [],
    addedAt: new Date().toISOString(),
  };
  await deps.store.put(rec);
  return deps.store.get(id) ?? rec;
}
