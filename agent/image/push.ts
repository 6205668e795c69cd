// Push orchestration: layers (bounded parallel; HEAD skip and cross-repo mount are the registry
// client's), then the config, then the stored manifest bytes unchanged, so a later pull of the
// pushed tag yields the same digests. Records the new repo digest and source repository.
import { createReadStream } from 'node:fs';
import { FlotillaError, isFlotillaError } from '../../shared/errors/index.js';
import type { Credentials, ImageReference } from './registry/index.js';
import { familiarName, refString, repoName, shortId } from './names.js';
import { limiter } from './pull.js';
import {
  percentProgress,
  type BlobStore,
  type ProgressSink,
  type RegistryFactory,
} from './service-types.js';
import type { ImageRecord, ImageStore } from './store/image-store.js';

export class Pusher {
  constructor(
    private readonly deps: { store: ImageStore; content: BlobStore; registry: RegistryFactory },
  ) {}

  async push(
    ref: ImageReference,
    rec: ImageRecord,
    opts: { credentials?: Credentials; onProgress?: ProgressSink } = {},
  ): Promise<{ digest: string; size: number }> {
    const emit = opts.onProgress ?? (() => undefined);
    const name = familiarName(refString(ref));
    const client = this.deps.registry({ credentials: opts.credentials });
    const repo = repoName(ref);
    // A blob this registry already holds in another repository can be mounted, not uploaded.
    const mountFrom = rec.sourceRepos
      .filter((r) => r !== repo && r.startsWith(`${ref.domain}/`))
      .map((r) => r.slice(ref.domain.length + 1))[0];
    emit({ status: `The push refers to repository [${familiarName(repo)}]` });
    const layers = [...rec.layers].reverse();
    for (const l of layers) emit({ id: shortId(l.digest), status: 'Preparing' });
    const limit = limiter(3);
    const blobOf = (digest: string, mediaType: string, size: number) => ({
      descriptor: { digest, mediaType, size },
      open: () => createReadStream(this.deps.content.blobPath(digest)),
    });
    try {
      await Promise.all(
        layers.map((l) =>
          limit(
            async () => {
              const id = shortId(l.digest);
              const outcome = await client.pushBlob(ref, blobOf(l.digest, l.mediaType, l.size), {
                mountFrom,
                onProgress: percentProgress(emit, id, 'Pushing'),
              });
              emit({
                id,
                status:
                  outcome === 'exists'
                    ? 'Layer already exists'
                    : outcome === 'mounted'
                      ? `Mounted from ${mountFrom}`
                      : 'Pushed',
              });
            },
            () => emit({ id: shortId(l.digest), status: 'Waiting' }),
          ),
        ),
      );
      const configSize = (await this.deps.content.readAll(rec.id)).length;
      await client.pushBlob(ref, blobOf(rec.id, rec.configMediaType, configSize), { mountFrom });
      const manifest = await this.deps.content.readAll(rec.manifestDigest);
      const digest = await client.pushManifest(ref, rec.manifestMediaType, manifest);
      emit({
        status: `${ref.tag ?? 'latest'}: digest: ${digest} size: ${manifest.length}`,
      });
      await this.deps.store.update((images) => {
        const r = images.get(rec.id);
        if (!r) return;
        const rd = `${repo}@${digest}`;
        if (!r.repoDigests.includes(rd)) r.repoDigests.push(rd);
        if (!r.sourceRepos.includes(repo)) r.sourceRepos.push(repo);
      });
      return { digest, size: manifest.length };
    } catch (err) {
      if (isFlotillaError(err) && err.params.ref !== undefined) throw err;
      throw new FlotillaError(
        'IMAGE_PUSH_FAILED',
        { ref: name, reason: err instanceof Error ? err.message : String(err) },
        { cause: err },
      );
    }
  }
}
