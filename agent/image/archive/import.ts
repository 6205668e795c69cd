// `import`: a root filesystem tarball (plain or gzip) becomes a one-layer image with a minimal
// config (no Cmd, no Env; `--change` edits it through `configure`). The input is spooled to a
// temporary file so its diff id is known before the layer store verifies the unpack against it.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FlotillaError, isFlotillaError } from '../../../shared/errors/index.js';
import { sha256 } from '../names.js';
import { bufferStream } from '../pull.js';
import type { BlobStore, ImageConfig, LayerApplier } from '../service-types.js';
import type { ImageRecord } from '../store/image-store.js';
import { openDecompressed } from './compression.js';
import { storeLayerFile } from './layer-file.js';
import { buildManifest, dockerConfigType } from './manifest.js';

export async function importRootfs(
  deps: { root: string; content: BlobStore; layers: LayerApplier },
  source: Readable,
  opts: {
    architecture: string;
    message?: string;
    source: string;
    /** `import --change`: edits the config before it is stored (agent/image/build/changes.ts). */
    configure?: (config: ImageConfig) => void;
  },
): Promise<Omit<ImageRecord, 'repoTags'> & { repoTags: string[] }> {
  const dir = join(deps.root, 'tmp', `import-${randomBytes(6).toString('hex')}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'rootfs');
  try {
    await pipeline(source, createWriteStream(file, { mode: 0o600 }));
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        await openDecompressed(file),
        new Writable({
          write(chunk: Buffer, _e, cb) {
            hash.update(chunk);
            size += chunk.length;
            cb();
          },
        }),
      );
    } catch (err) {
      throw new FlotillaError(
        'IMAGE_IMPORT_INVALID',
        { reason: (err as Error).message },
        { cause: err },
      );
    }
    if (size === 0)
      throw new FlotillaError('IMAGE_IMPORT_INVALID', { reason: 'the input is empty' });
    const diffId = `sha256:${hash.digest('hex')}`;
    let layer;
    try {
      layer = await storeLayerFile(deps, file, { diffId, chainId: diffId });
    } catch (err) {
      if (isFlotillaError(err) && err.code !== 'INTERNAL')
        throw new FlotillaError('IMAGE_IMPORT_INVALID', { reason: err.message }, { cause: err });
      throw err;
    }
    const created = new Date().toISOString();
    const config: ImageConfig = {
      architecture: opts.architecture,
      os: 'linux',
      created,
      config: {},
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [
        {
          created,
          created_by: '',
          comment: opts.message || `Imported from ${opts.source}`,
        },
      ],
    };
    opts.configure?.(config);
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDigest = sha256(configBytes);
    await deps.content.ingest(
      { digest: configDigest, size: configBytes.length },
      bufferStream(configBytes),
    );
    const manifest = buildManifest({ digest: configDigest, size: configBytes.length }, [layer]);
    await deps.content.ingest(
      { digest: manifest.digest, size: manifest.bytes.length },
      bufferStream(manifest.bytes),
    );
    return {
      id: configDigest,
      manifestDigest: manifest.digest,
      manifestMediaType: manifest.mediaType,
      configMediaType: dockerConfigType,
      layers: [layer],
      repoTags: [],
      repoDigests: [],
      created,
      sizeBytes: layer.sizeBytes,
      sourceRepos: [],
      addedAt: created,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
