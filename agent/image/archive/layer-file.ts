// Turns a layer file from an archive (plain, gzip or zstd tar) into a stored image layer: unpacked
// into the layer store (verifying the diff id) and kept gzip-compressed in the content store, so
// loaded and imported images can be pushed like pulled ones.
import { createReadStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import { tee } from '../pull.js';
import type { BlobStore, LayerApplier } from '../service-types.js';
import type { LayerRecord } from '../store/image-store.js';
import { detectFile, openDecompressed } from './compression.js';

export const gzipLayerMediaType = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

export interface LayerFileDeps {
  content: BlobStore;
  layers: LayerApplier;
}

export async function storeLayerFile(
  deps: LayerFileDeps,
  file: string,
  layer: { parentChainId?: string; diffId: string; chainId: string },
  known?: LayerRecord,
): Promise<LayerRecord> {
  const unpackedAlready = await deps.layers.has(layer.chainId);
  if (unpackedAlready && known && (await deps.content.has(known.digest))) return known;

  const kind = await detectFile(file);
  let blob: Promise<{ digest: string; size: number }>;
  let unpacked: Promise<{ sizeBytes: number }>;
  if (kind === 'gzip') {
    // Already compressed as a registry would store it: keep the bytes as they are.
    blob = deps.content.ingest(undefined, createReadStream(file));
    unpacked = unpackedAlready
      ? Promise.resolve({ sizeBytes: known?.sizeBytes ?? 0 })
      : openDecompressed(file).then((s) =>
          deps.layers.applyLayer(layer.parentChainId, s, layer.diffId),
        );
  } else {
    const plain = await openDecompressed(file);
    const [forBlob, forLayer] = tee(plain);
    const gz = createGzip({ level: 6, chunkSize: 1 << 18 });
    blob = deps.content.ingest(undefined, forBlob.pipe(gz));
    unpacked = unpackedAlready
      ? drainTo(forLayer, known?.sizeBytes ?? 0)
      : deps.layers
          .applyLayer(layer.parentChainId, forLayer, layer.diffId)
          .finally(() => forLayer.resume());
  }
  const [b, u] = await Promise.all([blob, unpacked]);
  return {
    digest: b.digest,
    mediaType: gzipLayerMediaType,
    size: b.size,
    diffId: layer.diffId,
    chainId: layer.chainId,
    sizeBytes: u.sizeBytes,
  };
}

async function drainTo(
  stream: NodeJS.ReadableStream,
  sizeBytes: number,
): Promise<{ sizeBytes: number }> {
  for await (const _ of stream) void _;
  return { sizeBytes };
}
