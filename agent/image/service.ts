// The image service: the one facade the agent API and the runtime use for images. It resolves
// local names, and coordinates the puller, pusher, archive code and the store; reference counting
// decides when a blob or an unpacked layer may be deleted. Transport, verification and unpacking
// are left to the registry client, content store and layer store.
import { stat } from 'node:fs/promises';
import { arch } from 'node:process';
import type { Readable } from 'node:stream';
import { FlotillaError, isFlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import { parseReference, formatReference, splitRepoTag } from './reference/index.js';
import type { Credentials, ImageReference } from './registry/index.js';
import { familiarName, refString, repoName, shortId, splitDigest } from './names.js';
import { Puller, type PullResult } from './pull.js';
import { Pusher } from './push.js';
import { ArchiveWriter } from './archive/save.js';
import { ArchiveLoader } from './archive/load.js';
import { importRootfs } from './archive/import.js';
import { ImageStore, type ImageRecord } from './store/image-store.js';
import { normaliseServer, splitSearchTerm } from './registry-names.js';
import type {
  BlobStore,
  HistoryEntry,
  ImageConfig,
  ImportOptions,
  LayerApplier,
  ProgressSink,
  PullOptions,
  RegistryFactory,
  ResolvedLocalImage,
} from './service-types.js';

export interface ImageServiceDeps {
  /** <dataRoot>/image: the image store's own files. */
  root: string;
  content: BlobStore;
  layers: LayerApplier;
  registry: RegistryFactory;
  log: Logger;
  /**
   * The id of a container that uses the image (any state), or undefined; such images are only
   * untagged, never deleted. Docker's conflict message names that container.
   */
  containerUsingImage?: (imageId: string) => string | undefined | Promise<string | undefined>;
  /** Parallel layer downloads per pull. @default 3 */
  pullConcurrency?: number;
  /**
   * `image prune` removes blobs no image references (left by an interrupted or refused pull, build
   * or load) only once they are this old, so it never takes a blob a pull or build running right
   * now has written but not yet recorded. @default 3_600_000 (one hour)
   */
  orphanBlobGraceMs?: number;
}

/** Docker's /images/json entry. */
export interface ImageSummary {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Created: number;
  Size: number;
  Labels: Record<string, string>;
}

export interface RemoveResult {
  Untagged?: string;
  Deleted?: string;
}

export class ImageService {
  readonly store: ImageStore;
  private readonly puller: Puller;
  private readonly pusher: Pusher;
  private readonly log: Logger;

  constructor(private readonly deps: ImageServiceDeps) {
    this.log = deps.log.child({ component: 'image' });
    this.store = new ImageStore({ root: deps.root });
    this.puller = new Puller({
      store: this.store,
      content: deps.content,
      layers: deps.layers,
      registry: deps.registry,
      log: this.log,
      concurrency: deps.pullConcurrency,
    });
    this.pusher = new Pusher({ store: this.store, content: deps.content, registry: deps.registry });
  }

  async start(): Promise<void> {
    await this.store.start();
  }

  async stop(): Promise<void> {
    await this.store.stop();
  }

  /**
   * Pulls an image and emits Docker's lines: per-layer progress, then `Digest:` and `Status:`.
   * Concurrent pulls of one manifest share the work.
   */
  async pull(name: string, opts: PullOptions = {}): Promise<PullResult & { ref: string }> {
    const ref = parseReference(name);
    const full = refString(ref);
    const started = Date.now();
    const before = ref.digest ? this.store.byRepoDigest(full) : this.store.byTag(full);
    let result: PullResult;
    try {
      result = await this.puller.pull(ref, opts);
    } catch (err) {
      if (isFlotillaError(err)) throw err;
      throw new FlotillaError(
        'IMAGE_PULL_FAILED',
        { ref: familiarName(full), reason: (err as Error).message },
        { cause: err },
      );
    }
    const emit = opts.onProgress ?? (() => undefined);
    const digest = result.record.repoDigests.find((d) => d.startsWith(`${repoName(ref)}@`));
    if (digest) emit({ status: `Digest: ${splitDigest(digest).digest}` });
    const shown = familiarName(full);
    emit({
      // Docker's words: "newer" whenever the tag now names another image, even if every layer
      // was already here (a new config on shared layers).
      status:
        result.downloaded || before?.id !== result.record.id
          ? `Status: Downloaded newer image for ${shown}`
          : `Status: Image is up to date for ${shown}`,
    });
    this.log.info(
      { ref: full, imageId: result.record.id, durationMs: Date.now() - started },
      'image pulled',
    );
    return { ...result, ref: shown };
  }

  async push(
    name: string,
    opts: { credentials?: Credentials; onProgress?: ProgressSink } = {},
  ): Promise<{ digest: string; size: number }> {
    const ref = parseReference(name);
    const rec = this.store.byTag(refString(ref));
    if (!rec) throw new FlotillaError('IMAGE_PUSH_NO_TAG', { name: familiarName(refString(ref)) });
    return this.pusher.push(ref, rec, opts);
  }

  /** Finds a local image by name[:tag], name@digest, or (a prefix of) its id. */
  find(name: string): ImageRecord {
    const rec = this.lookup(name);
    if (!rec) throw new FlotillaError('IMAGE_NOT_LOCAL', { name });
    return rec;
  }

  private lookup(name: string): ImageRecord | undefined {
    let ref: ImageReference | undefined;
    try {
      ref = parseReference(name);
    } catch {
      // Not a reference: maybe an id.
    }
    if (ref) {
      const byName = ref.digest
        ? this.store.byRepoDigest(`${repoName(ref)}@${ref.digest}`)
        : this.store.byTag(refString(ref));
      if (byName) return byName;
    }
    if (/^(sha256:)?[a-f0-9]{1,64}$/.test(name)) {
      const hits = this.store.byIdPrefix(name);
      if (hits.length > 1) throw new FlotillaError('IMAGE_ID_AMBIGUOUS', { prefix: name });
      return hits[0];
    }
    return undefined;
  }

  /** What the runtime needs to create a container: id, parsed config and chain ids. */
  async resolve(name: string): Promise<ResolvedLocalImage> {
    const rec = this.find(name);
    return {
      imageId: rec.id,
      config: await this.config(rec),
      chainIds: rec.layers.map((l) => l.chainId),
      ref: name,
    };
  }

  async config(rec: ImageRecord): Promise<ImageConfig> {
    const bytes = await this.deps.content.readAll(rec.id);
    return JSON.parse(bytes.toString('utf8')) as ImageConfig;
  }

  async tag(source: string, target: string): Promise<void> {
    const rec = this.find(source);
    const ref = parseReference(target);
    if (ref.digest)
      throw new FlotillaError('INVALID_REFERENCE', {
        input: target,
        reason: 'refusing to create a tag with a digest reference',
      });
    const name = refString(ref);
    await this.store.update((images) => {
      for (const other of images.values())
        other.repoTags = other.repoTags.filter((t) => t !== name);
      const mine = images.get(rec.id);
      if (mine && !mine.repoTags.includes(name)) mine.repoTags.push(name);
    });
  }

  list(): ImageSummary[] {
    return this.store
      .list()
      .sort((a, b) => b.created.localeCompare(a.created))
      .map((r) => ({
        Id: r.id,
        RepoTags: r.repoTags.map(familiarName),
        RepoDigests: r.repoDigests.map(familiarName),
        Created: Math.floor(Date.parse(r.created) / 1000) || 0,
        Size: r.sizeBytes,
        Labels: {},
      }));
  }

  /** Docker's `image inspect` document. */
  async inspect(name: string): Promise<Record<string, unknown>> {
    const rec = this.find(name);
    const config = await this.config(rec);
    return {
      Id: rec.id,
      RepoTags: rec.repoTags.map(familiarName),
      RepoDigests: rec.repoDigests.map(familiarName),
      Parent: '',
      Comment: config.history?.[config.history.length - 1]?.comment ?? '',
      Created: rec.created,
      Author: config.author ?? '',
      Config: config.config ?? {},
      Architecture: config.architecture ?? '',
      Variant: config.variant,
      Os: config.os ?? '',
      Size: rec.sizeBytes,
      RootFS: { Type: 'layers', Layers: config.rootfs.diff_ids },
      Metadata: { LastTagTime: rec.addedAt },
      Descriptor: { mediaType: rec.manifestMediaType, digest: rec.manifestDigest },
    };
  }

  /** Docker's `image history` entries, newest first. */
  async history(name: string): Promise<Record<string, unknown>[]> {
    const rec = this.find(name);
    const config = await this.config(rec);
    const entries: HistoryEntry[] = config.history?.length
      ? config.history
      : rec.layers.map(() => ({ created: rec.created, created_by: '' }));
    let layer = 0;
    const out = entries.map((h) => {
      const size = h.empty_layer ? 0 : (rec.layers[layer++]?.sizeBytes ?? 0);
      return {
        Id: '<missing>',
        Created: Math.floor(Date.parse(h.created ?? rec.created) / 1000) || 0,
        CreatedBy: h.created_by ?? '',
        Size: size,
        Comment: h.comment ?? '',
        Tags: null as string[] | null,
      };
    });
    out.reverse();
    if (out[0]) {
      out[0].Id = rec.id;
      out[0].Tags = rec.repoTags.map(familiarName);
    }
    return out;
  }

  /** `rmi`: untags the name, and deletes the image once no name is left (Docker's rules). */
  async remove(name: string, opts: { force?: boolean } = {}): Promise<RemoveResult[]> {
    const rec = this.find(name);
    let ref: ImageReference | undefined;
    try {
      ref = parseReference(name);
    } catch {}
    const byName =
      ref &&
      (ref.digest
        ? rec.repoDigests.includes(`${repoName(ref)}@${ref.digest}`)
        : rec.repoTags.includes(refString(ref)));
    const user = await this.deps.containerUsingImage?.(rec.id);
    const out: RemoveResult[] = [];
    if (byName && ref) {
      const full = ref.digest ? `${repoName(ref)}@${ref.digest}` : refString(ref);
      const remaining = rec.repoTags.filter((t) => t !== full);
      if (remaining.length > 0) {
        // Other names keep the image: only this one goes.
        await this.store.update((images) => {
          const r = images.get(rec.id);
          if (r) r.repoTags = r.repoTags.filter((t) => t !== full);
          if (r) r.repoDigests = r.repoDigests.filter((d) => d !== full);
        });
        return [{ Untagged: familiarName(full) }];
      }
    } else if (!opts.force && new Set(rec.repoTags.map((t) => splitRepoTag(t).repo)).size > 1) {
      throw new FlotillaError('IMAGE_MULTIPLE_TAGS', { imageId: shortId(rec.id) });
    }
    if (user !== undefined) {
      if (!opts.force)
        throw new FlotillaError('IMAGE_IN_USE', {
          name,
          container: shortId(user),
          imageId: shortId(rec.id),
        });
      // Forced while in use: untag everything, keep the image (Docker does the same).
      await this.store.update((images) => {
        const r = images.get(rec.id);
        if (r) {
          r.repoTags = [];
          r.repoDigests = [];
        }
      });
      return rec.repoTags.map((t) => ({ Untagged: familiarName(t) }));
    }
    for (const t of rec.repoTags) out.push({ Untagged: familiarName(t) });
    for (const d of rec.repoDigests) out.push({ Untagged: familiarName(d) });
    out.push(...(await this.deleteImages([rec.id])));
    return out;
  }

  /**
   * Removes dangling images (all unused ones with `all`) that no container uses and that `match`
   * (the API's `image prune --filter`) accepts.
   */
  async prune(
    opts: { all?: boolean; match?: (imageId: string) => boolean | Promise<boolean> } = {},
  ): Promise<{
    ImagesDeleted: RemoveResult[];
    SpaceReclaimed: number;
  }> {
    const victims: ImageRecord[] = [];
    for (const rec of this.store.list()) {
      if (!opts.all && rec.repoTags.length > 0) continue;
      if ((await this.deps.containerUsingImage?.(rec.id)) !== undefined) continue;
      if (opts.match && !(await opts.match(rec.id))) continue;
      victims.push(rec);
    }
    const out: RemoveResult[] = [];
    for (const rec of victims) {
      for (const t of rec.repoTags) out.push({ Untagged: familiarName(t) });
      for (const d of rec.repoDigests) out.push({ Untagged: familiarName(d) });
    }
    let space = victims.reduce((a, r) => a + r.sizeBytes, 0);
    out.push(...(await this.deleteImages(victims.map((r) => r.id))));
    space += await this.deleteOrphanBlobs();
    return { ImagesDeleted: out, SpaceReclaimed: space };
  }

  /**
   * Deletes stored blobs that no image references and that are older than the grace period (a
   * refused hostile pull, an interrupted one, a failed build). Returns the bytes freed.
   */
  private async deleteOrphanBlobs(): Promise<number> {
    const referenced = this.store.referencedBlobs();
    const cutoff = Date.now() - (this.deps.orphanBlobGraceMs ?? 3_600_000);
    let freed = 0;
    for (const b of await this.deps.content.list()) {
      if (referenced.has(b.digest)) continue;
      const modified = await stat(this.deps.content.blobPath(b.digest)).then(
        (s) => s.mtimeMs,
        () => Date.now(),
      );
      if (modified > cutoff) continue;
      // Checked again right before: an image may have been recorded since the list was taken.
      if (this.store.referencedBlobs().has(b.digest)) continue;
      if (await this.deps.content.delete(b.digest)) {
        freed += b.sizeBytes;
        this.log.info({ digest: b.digest, bytes: b.sizeBytes }, 'orphan blob removed');
      }
    }
    return freed;
  }

  /** Drops image records, then every blob and layer no remaining image references. */
  private async deleteImages(ids: string[]): Promise<RemoveResult[]> {
    const gone: ImageRecord[] = [];
    const { blobs, layers } = await this.store.update((images) => {
      for (const id of ids) {
        const r = images.get(id);
        if (r) gone.push(r);
        images.delete(id);
      }
      return {
        blobs: this.store.referencedBlobs(images.values()),
        layers: this.store.referencedLayers(images.values()),
      };
    });
    const out: RemoveResult[] = [];
    for (const rec of gone) {
      out.push({ Deleted: rec.id });
      for (const l of [...rec.layers].reverse()) {
        if (layers.has(l.chainId)) continue;
        layers.add(l.chainId); // delete once even if two victims share it
        await this.deps.layers.removeLayer(l.chainId);
        out.push({ Deleted: l.chainId });
      }
      for (const d of [rec.manifestDigest, rec.id, ...rec.layers.map((l) => l.digest)]) {
        if (blobs.has(d)) continue;
        blobs.add(d);
        await this.deps.content.delete(d);
      }
    }
    return out;
  }

  /** `save`: a tar stream of the images in docker-archive + OCI layout form. */
  save(names: string[]): Readable {
    const items = names.map((n) => ({ name: n, rec: this.find(n) }));
    return new ArchiveWriter({ content: this.deps.content }).write(
      items.map(({ name, rec }) => ({
        rec,
        // `save IMAGE_ID` writes no names; `save repo:tag` writes that name.
        tags: this.lookupIsId(name) ? [] : this.tagsFor(name, rec),
      })),
    );
  }

  private lookupIsId(name: string): boolean {
    return /^(sha256:)?[a-f0-9]{1,64}$/.test(name) && !this.store.byTag(safeRef(name) ?? '');
  }

  private tagsFor(name: string, rec: ImageRecord): string[] {
    const ref = safeRefObj(name);
    if (ref && !ref.digest && rec.repoTags.includes(refString(ref))) return [refString(ref)];
    return rec.repoTags;
  }

  /** `load`: reads a docker-archive or OCI-layout tar; returns the loaded names or ids. */
  async load(tar: Readable): Promise<string[]> {
    const loader = new ArchiveLoader({
      root: this.deps.root,
      content: this.deps.content,
      layers: this.deps.layers,
    });
    const loaded = await loader.load(tar);
    const out: string[] = [];
    for (const item of loaded) {
      await this.store.put(item.record);
      if (item.record.repoTags.length === 0) out.push(`Loaded image ID: ${item.record.id}`);
      for (const t of item.record.repoTags) out.push(`Loaded image: ${familiarName(t)}`);
    }
    return out;
  }

  /** `import`: a root filesystem tarball becomes a one-layer image. */
  async import(tar: Readable, opts: ImportOptions = {}): Promise<string> {
    const tag = opts.ref ? refString(parseReference(opts.ref)) : undefined;
    const record = await importRootfs(
      { root: this.deps.root, content: this.deps.content, layers: this.deps.layers },
      tar,
      {
        architecture: goArch(),
        message: opts.message,
        source: opts.source ?? '-',
        configure: opts.configure,
      },
    );
    await this.store.put({ ...record, repoTags: tag ? [tag] : [] });
    return record.id;
  }

  /** `search`: repositories matching the term on the registry named in it (or docker.io). */
  async search(
    term: string,
    opts: { limit?: number; credentials?: Credentials } = {},
  ): Promise<{ name: string }[]> {
    const { domain, rest } = splitSearchTerm(term);
    const client = this.deps.registry({ credentials: opts.credentials });
    const repos = await client.search(domain, rest, { limit: opts.limit });
    return repos.map((r) => ({ name: familiarName(`${domain}/${r}`) }));
  }

  /** Checks credentials against a registry; the CLI stores them when this succeeds. */
  async login(server: string, credentials: Credentials): Promise<void> {
    await this.deps.registry({ credentials }).login(normaliseServer(server), credentials);
  }
}

function goArch(): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le' };
  return map[arch] ?? arch;
}

function safeRefObj(name: string): ImageReference | undefined {
  try {
    return parseReference(name);
  } catch {
    return undefined;
  }
}

function safeRef(name: string): string | undefined {
  const r = safeRefObj(name);
  return r ? formatReference(r) : undefined;
}
