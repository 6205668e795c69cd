// `save`: writes images as one tar that both `docker load` generations accept. It is the layout
// Docker 25+ writes: an OCI image layout (oci-layout, index.json, blobs/sha256/) whose blobs are
// also named by a classic manifest.json (Config, RepoTags, Layers). Layers are uncompressed tars
// named by their diff id, as `docker save` writes them.
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import tar from 'tar-stream';
import { familiarName, sha256 } from '../names.js';
import { splitRepoTag } from '../reference/index.js';
import type { BlobStore } from '../service-types.js';
import type { ImageRecord } from '../store/image-store.js';
import { openDecompressed } from './compression.js';

const ociManifestType = 'application/vnd.oci.image.manifest.v1+json';
const ociIndexType = 'application/vnd.oci.image.index.v1+json';
const ociConfigType = 'application/vnd.oci.image.config.v1+json';
const ociLayerType = 'application/vnd.oci.image.layer.v1.tar';

export class ArchiveWriter {
  constructor(private readonly deps: { content: BlobStore }) {}

  write(items: { rec: ImageRecord; tags: string[] }[]): Readable {
    const pack = tar.pack();
    this.fill(pack, items).then(
      () => pack.finalize(),
      (err: Error) => pack.destroy(err),
    );
    // tar-stream packs are streamx streams; hand callers a Node stream.
    return Readable.from(pack);
  }

  private async fill(pack: tar.Pack, items: { rec: ImageRecord; tags: string[] }[]) {
    const written = new Set<string>();
    const mtime = new Date(0);
    const addBuffer = (name: string, data: Buffer) =>
      new Promise<void>((resolve, reject) =>
        pack.entry({ name, size: data.length, mtime, mode: 0o644 }, data, (err) =>
          err ? reject(err) : resolve(),
        ),
      );
    const blobName = (digest: string) => `blobs/sha256/${digest.slice('sha256:'.length)}`;

    const manifestJson: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
    const index: Record<string, unknown>[] = [];
    for (const { rec, tags } of items) {
      const config = await this.deps.content.readAll(rec.id);
      if (!written.has(rec.id)) {
        await addBuffer(blobName(rec.id), config);
        written.add(rec.id);
      }
      const ociLayers: { mediaType: string; digest: string; size: number }[] = [];
      for (const l of rec.layers) {
        const path = this.deps.content.blobPath(l.digest);
        // Pass 1 learns the uncompressed size (a tar header needs it first) and checks the diff id.
        const size = await measure(path, l.diffId);
        ociLayers.push({ mediaType: ociLayerType, digest: l.diffId, size });
        if (written.has(l.diffId)) continue;
        written.add(l.diffId);
        const entry = pack.entry({ name: blobName(l.diffId), size, mtime, mode: 0o644 });
        await pipeline(await openDecompressed(path), entry);
      }
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: ociManifestType,
          config: { mediaType: ociConfigType, digest: rec.id, size: config.length },
          layers: ociLayers,
        }),
      );
      const manifestDigest = sha256(manifest);
      if (!written.has(manifestDigest)) {
        await addBuffer(blobName(manifestDigest), manifest);
        written.add(manifestDigest);
      }
      const desc = { mediaType: ociManifestType, digest: manifestDigest, size: manifest.length };
      if (tags.length === 0) index.push(desc);
      for (const t of tags)
        index.push({
          ...desc,
          annotations: {
            'io.containerd.image.name': t,
            'org.opencontainers.image.ref.name': splitRepoTag(t).tag ?? 'latest',
          },
        });
      manifestJson.push({
        Config: blobName(rec.id),
        RepoTags: tags.map(familiarName),
        Layers: rec.layers.map((l) => blobName(l.diffId)),
      });
    }
    await addBuffer('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
    await addBuffer(
      'index.json',
      Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: ociIndexType, manifests: index })),
    );
    await addBuffer('manifest.json', Buffer.from(JSON.stringify(manifestJson)));
  }
}

async function measure(path: string, diffId: string): Promise<number> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    await openDecompressed(path),
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb();
      },
    }),
  );
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== diffId) throw new Error(`stored layer ${diffId} unpacks to ${got}`);
  return size;
}
