// Pull orchestration: resolve → config → layers → image record. Blobs are downloaded in parallel
// (bounded) and each download is teed into the content store and, when the layer's parent is
// already unpacked, straight into the layer store (unpack while downloading). Layers whose parent is
// still being unpacked are downloaded to the content store and unpacked from there in chain order.
// Transport, verification of blobs and tar safety belong to the registry, content and layer stores.
import { PassThrough, type Readable } from 'node:stream';
import { FlotillaError, isFlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import { withImageName } from './unpack/index.js';
import {
  chainIds as computeChainIds,
  familiarName,
  refString,
  repoName,
  shortId,
} from './names.js';
import {
  percentProgress,
  type BlobStore,
  type ImageConfig,
  type LayerApplier,
  type ProgressEvent,
  type ProgressSink,
  type PullOptions,
  type RegistryFactory,
} from './service-types.js';
import type { ImageRecord, ImageStore, LayerRecord } from './store/image-store.js';
import type { Descriptor, ImageReference, RegistryClient } from './registry/index.js';

export interface PullResult {
  record: ImageRecord;
  /** False when every blob and layer was already present. */
  downloaded: boolean;
}

export interface PullerDeps {
  store: ImageStore;
  content: BlobStore;
  layers: LayerApplier;
  registry: RegistryFactory;
  log: Logger;
  /** @default 3 */
  concurrency?: number;
}

/** Pulls shared between concurrent callers of the same manifest, with their progress fan-out. */
interface InFlight {
  promise: Promise<{ record: Omit<ImageRecord, 'repoTags' | 'repoDigests'>; downloaded: boolean }>;
  sinks: Set<ProgressSink>;
  /** Latest event per id, replayed to a caller that joins late. */
  latest: Map<string, ProgressEvent>;
}

const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export class Puller {
  private readonly inFlight = new Map<string, InFlight>();
  /** Layer unpacks in progress by chain id, shared across images. */
  private readonly applying = new Map<string, Promise<{ sizeBytes: number }>>();

  constructor(private readonly deps: PullerDeps) {}

  async pull(ref: ImageReference, opts: PullOptions = {}): Promise<PullResult> {
    const emit = opts.onProgress ?? (() => undefined);
    const name = refString(ref);
    const client = this.deps.registry({ credentials: opts.credentials });
    const resolved = await client.resolve(ref, { platform: opts.platform, signal: opts.signal });
    emit({ id: ref.tag ?? ref.digest, status: `Pulling from ${ref.path}` });

    let flight = this.inFlight.get(resolved.manifestDigest);
    if (flight) {
      for (const ev of flight.latest.values()) emit(ev);
      flight.sinks.add(emit);
    } else {
      const sinks = new Set<ProgressSink>([emit]);
      const latest = new Map<string, ProgressEvent>();
      const fanOut = (ev: ProgressEvent) => {
        if (ev.id) latest.set(ev.id, ev);
        for (const s of sinks) s(ev);
      };
      const promise = this.fetchImage(client, ref, resolved, fanOut, opts.signal);
      flight = { promise, sinks, latest };
      this.inFlight.set(resolved.manifestDigest, flight);
      void promise.then(
        () => this.inFlight.delete(resolved.manifestDigest),
        () => this.inFlight.delete(resolved.manifestDigest),
      );
    }
    try {
      const { record, downloaded } = await flight.promise;
      const full: ImageRecord = {
        ...record,
        repoTags: ref.tag ? [name] : [],
        repoDigests: [`${repoName(ref)}@${resolved.manifestDigest}`],
      };
      await this.deps.store.put(full);
      return { record: this.deps.store.get(full.id) ?? full, downloaded };
    } finally {
      flight.sinks.delete(emit);
    }
  }

  private async fetchImage(
    client: RegistryClient,
    ref: ImageReference,
    resolved: Awaited<ReturnType<RegistryClient['resolve']>>,
    emit: ProgressSink,
    signal?: AbortSignal,
  ): Promise<{ record: Omit<ImageRecord, 'repoTags' | 'repoDigests'>; downloaded: boolean }> {
    const name = refString(ref);
    const { content } = this.deps;
    if (resolved.config.size > MAX_CONFIG_BYTES)
      throw new FlotillaError('IMAGE_PULL_FAILED', { ref: name, reason: 'config is too large' });
    const configBytes = await client.fetchSmallBlob(ref, resolved.config, { signal });
    const config = parseConfig(configBytes, name);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== resolved.layers.length)
      throw new FlotillaError('IMAGE_PULL_FAILED', {
        ref: name,
        reason: `manifest has ${resolved.layers.length} layers but the config lists ${diffIds.length}`,
      });
    const chains = computeChainIds(diffIds);

    const existing = this.deps.store.get(resolved.config.digest);
    const ac = new AbortController();
    const onAbort = () => ac.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });

    let downloaded = false;
    try {
      // Which layers are already unpacked and stored: nothing to do for those.
      const present = await Promise.all(
        resolved.layers.map(
          async (d, i) => (await this.deps.layers.has(chains[i])) && (await content.has(d.digest)),
        ),
      );
      for (const [i, d] of resolved.layers.entries())
        emit({ id: shortId(d.digest), status: present[i] ? 'Already exists' : 'Pulling fs layer' });

      const applied: Promise<number>[] = [];
      const done: boolean[] = present.map(() => false);
      // Resolves once layer i's applyLayer has been called (or will not be): a layer store that
      // takes pending parents then unpacks every layer as it downloads, not in chain order.
      const started: Promise<void>[] = [];
      const eager = this.deps.layers.appliesOverPendingParents === true;
      const limit = limiter(this.deps.concurrency ?? 3);
      for (const [i, desc] of resolved.layers.entries()) {
        const parent = i === 0 ? Promise.resolve(0) : applied[i - 1];
        const parentStarted = i === 0 ? Promise.resolve() : started[i - 1];
        const layerRef = { desc, diffId: diffIds[i], chainId: chains[i], parent: chains[i - 1] };
        let markStarted!: () => void;
        started.push(new Promise<void>((r) => (markStarted = r)));
        const p = (async (): Promise<number> => {
          if (present[i]) {
            markStarted();
            await parent;
            return (await this.sizeOf(chains[i], existing)) ?? 0;
          }
          downloaded = true;
          const id = shortId(desc.digest);
          const size = await limit(
            async () => {
              emit({ id, status: 'Downloading', progress: { current: 0, total: desc.size } });
              // Slots are granted in layer order, so the parent's call is never queued behind us.
              if (eager) await parentStarted;
              return this.fetchLayer(
                client,
                ref,
                layerRef,
                i === 0 || done[i - 1] || eager,
                emit,
                ac.signal,
                markStarted,
              );
            },
            () => emit({ id, status: 'Waiting' }),
          );
          markStarted();
          // Downloaded to the content store only: unpack after the parent, from the stored blob.
          let sizeBytes = size;
          if (sizeBytes === undefined) {
            await parent;
            emit({ id, status: 'Extracting' });
            const r = await this.applyOnce(layerRef.chainId, async () =>
              this.deps.layers.applyLayer(
                layerRef.parent,
                await content.openRead(desc.digest),
                layerRef.diffId,
              ),
            );
            sizeBytes = r.sizeBytes;
          }
          emit({ id, status: 'Pull complete' });
          return sizeBytes;
        })().catch((err: unknown) => {
          markStarted();
          ac.abort(err);
          throw wrapLayerError(err, name, desc.digest);
        });
        p.then(
          () => (done[i] = true),
          () => undefined,
        );
        applied.push(p);
      }
      const settled = await Promise.allSettled(applied);
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const sizes = settled.map((s) => (s as PromiseFulfilledResult<number>).value);

      if (!(await content.has(resolved.config.digest)))
        await content.ingest(resolved.config, bufferStream(configBytes));
      if (!(await content.has(resolved.manifestDigest)))
        await content.ingest(
          { digest: resolved.manifestDigest, size: resolved.manifestBytes.length },
          bufferStream(resolved.manifestBytes),
        );

      const layers: LayerRecord[] = resolved.layers.map((d, i) => ({
        digest: d.digest,
        mediaType: d.mediaType,
        size: d.size,
        diffId: diffIds[i],
        chainId: chains[i],
        sizeBytes: sizes[i],
      }));
      return {
        downloaded,
        record: {
          id: resolved.config.digest,
          manifestDigest: resolved.manifestDigest,
          manifestMediaType: resolved.manifestMediaType,
          configMediaType: resolved.config.mediaType,
          layers,
          created: config.created ?? new Date(0).toISOString(),
          sizeBytes: sizes.reduce((a, b) => a + b, 0),
          sourceRepos: [repoName(ref)],
          addedAt: existing?.addedAt ?? new Date().toISOString(),
        },
      };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Downloads one blob into the content store. When `teeIntoLayer` is set (the parent is unpacked),
   * the same bytes feed the layer store at once and the unpacked size is returned; otherwise
   * undefined, and the caller unpacks later from the content store.
   */
  private async fetchLayer(
    client: RegistryClient,
    ref: ImageReference,
    layer: { desc: Descriptor; diffId: string; chainId: string; parent?: string },
    teeIntoLayer: boolean,
    emit: ProgressSink,
    signal: AbortSignal,
    onApplyStarted: () => void = () => undefined,
  ): Promise<number | undefined> {
    const { desc } = layer;
    const id = shortId(desc.digest);
    const source = client.openBlob(ref, desc, {
      signal,
      onProgress: percentProgress(emit, id, 'Downloading'),
    });
    const hasBlob = await this.deps.content.has(desc.digest);
    if (!teeIntoLayer || (await this.deps.layers.has(layer.chainId))) {
      if (hasBlob) {
        source.destroy();
        return undefined;
      }
      await this.deps.content.ingest(desc, source);
      emit({ id, status: 'Verifying Checksum' });
      emit({ id, status: 'Download complete' });
      return undefined;
    }
    const [toStore, toLayer] = tee(source);
    // The blob may be stored already (another image's layer over another parent): it is still
    // downloaded for this unpack, and said so (the pull's byte metrics read these events).
    const stored = (
      hasBlob
        ? drain(toStore)
        : this.deps.content
            .ingest(desc, toStore)
            .then(() => emit({ id, status: 'Verifying Checksum' }))
    ).then(() => {
      emit({ id, status: 'Download complete' });
      emit({ id, status: 'Extracting' });
    });
    const unpacked = this.applyOnce(layer.chainId, () =>
      this.deps.layers.applyLayer(layer.parent, toLayer, layer.diffId),
    ).finally(() => toLayer.resume());
    onApplyStarted();
    try {
      const [, r] = await Promise.all([stored, unpacked]);
      return r.sizeBytes;
    } catch (err) {
      source.destroy(err as Error);
      await Promise.allSettled([stored, unpacked]);
      throw err;
    }
  }

  private applyOnce(
    chainId: string,
    apply: () => Promise<{ sizeBytes: number }>,
  ): Promise<{ sizeBytes: number }> {
    let p = this.applying.get(chainId);
    if (!p) {
      p = apply().finally(() => this.applying.delete(chainId));
      this.applying.set(chainId, p);
    }
    return p;
  }

  private async sizeOf(chainId: string, rec?: ImageRecord): Promise<number | undefined> {
    const hit = rec?.layers.find((l) => l.chainId === chainId);
    if (hit) return hit.sizeBytes;
    for (const r of this.deps.store.list()) {
      const l = r.layers.find((x) => x.chainId === chainId);
      if (l) return l.sizeBytes;
    }
    return undefined;
  }
}

export function parseConfig(bytes: Buffer, name: string): ImageConfig {
  let config: ImageConfig;
  try {
    config = JSON.parse(bytes.toString('utf8')) as ImageConfig;
  } catch (err) {
    throw new FlotillaError(
      'IMAGE_PULL_FAILED',
      { ref: name, reason: 'image config is not JSON' },
      { cause: err },
    );
  }
  if (!config?.rootfs || !Array.isArray(config.rootfs.diff_ids))
    throw new FlotillaError('IMAGE_PULL_FAILED', {
      ref: name,
      reason: 'image config has no rootfs.diff_ids',
    });
  return config;
}

/**
 * Errors from the layer and content stores are about one layer; say which image and which blob.
 * Registry errors already name the image (they carry `ref`) and pass through.
 */
function wrapLayerError(err: unknown, ref: string, digest: string): FlotillaError {
  if (isFlotillaError(err)) {
    if (err.params.ref !== undefined) return err;
    if (err.code === 'LAYER_UNSAFE_ENTRY' || err.code === 'LAYER_INVALID')
      return withImageName(err, familiarName(ref)) as FlotillaError;
    if (err.kind === 'invalid_argument' || err.code === 'LAYER_DIFF_ID_MISMATCH')
      return new FlotillaError(
        'IMAGE_LAYER_REJECTED',
        { ref: familiarName(ref), digest, reason: err.message },
        { cause: err },
      );
    return new FlotillaError(
      'IMAGE_PULL_FAILED',
      { ref, reason: err.message },
      { cause: err, retryable: err.retryable },
    );
  }
  const reason = err instanceof Error ? err.message : String(err);
  return new FlotillaError('IMAGE_PULL_FAILED', { ref, reason }, { cause: err });
}

/** Splits a stream in two; the source goes as fast as the slower branch. */
export function tee(source: Readable): [PassThrough, PassThrough] {
  const a = new PassThrough({ highWaterMark: 1 << 20 });
  const b = new PassThrough({ highWaterMark: 1 << 20 });
  source.pipe(a);
  source.pipe(b);
  source.on('error', (err) => {
    a.destroy(err);
    b.destroy(err);
  });
  return [a, b];
}

export function bufferStream(buf: Buffer): Readable {
  const s = new PassThrough();
  s.end(buf);
  return s;
}

async function drain(stream: Readable): Promise<void> {
  for await (const _ of stream) void _;
}

/** A concurrency limit; `onQueued` runs when the task has to wait for a slot. */
export function limiter(n: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>, onQueued?: () => void): Promise<T> => {
    if (active >= n) {
      onQueued?.();
      await new Promise<void>((r) => queue.push(r));
    } else active++;
    try {
      return await task();
    } finally {
      const next = queue.shift();
      if (next) next();
      else active--;
    }
  };
}
