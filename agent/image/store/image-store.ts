// The local image store: which images exist (by id = config digest), their manifest, layers and
// names (repo tags, repo digests). Persisted as one JSON document written atomically. It records
// metadata only; blobs live in the content store and unpacked layers in the layer store, and the
// image service decides when those may go (see referencedBy*).
import { Mutex } from '../../../shared/concurrency/mutex.js';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../shared/fs/atomic.js';

export interface LayerRecord {
  /** Digest of the stored (usually gzip-compressed) blob. */
  digest: string;
  mediaType: string;
  /** Size of the stored blob. */
  size: number;
  diffId: string;
  chainId: string;
  /** Bytes of the unpacked layer. */
  sizeBytes: number;
}

export interface ImageRecord {
  /** sha256 of the config: the image id. */
  id: string;
  manifestDigest: string;
  manifestMediaType: string;
  configMediaType: string;
  layers: LayerRecord[];
  /** Normalised `domain/path:tag` names. */
  repoTags: string[];
  /** Normalised `domain/path@sha256:...` names. */
  repoDigests: string[];
  /** From the config's `created`. */
  created: string;
  /** Sum of the unpacked layer sizes. */
  sizeBytes: number;
  /** `domain/path` repositories the blobs are known to exist in (cross-repo mount sources). */
  sourceRepos: string[];
  /** When the image record was written first. */
  addedAt: string;
}

interface StoreFile {
  version: 1;
  images: Record<string, ImageRecord>;
}

export class ImageStore {
  private images = new Map<string, ImageRecord>();
  /** The store file as last read or written: an update that would write the same text skips it. */
  private persisted?: string;
  /** Serialises mutations so that each one is persisted before the next starts. */
  private readonly mutations = new Mutex();

  constructor(private readonly deps: { root: string }) {}

  private get file(): string {
    return join(this.deps.root, 'images.json');
  }

  async start(): Promise<void> {
    await mkdir(this.deps.root, { recursive: true, mode: 0o700 });
    let text: string | undefined;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text) {
      this.persisted = text;
      const doc = JSON.parse(text) as StoreFile;
      for (const rec of Object.values(doc.images)) this.images.set(rec.id, rec);
    }
  }

  async stop(): Promise<void> {
    await this.mutations.idle();
  }

  get(id: string): ImageRecord | undefined {
    return this.images.get(id);
  }

  list(): ImageRecord[] {
    return [...this.images.values()];
  }

  /** The image carrying a normalised `domain/path:tag`. */
  byTag(tag: string): ImageRecord | undefined {
    for (const rec of this.images.values()) if (rec.repoTags.includes(tag)) return rec;
    return undefined;
  }

  byRepoDigest(name: string): ImageRecord | undefined {
    for (const rec of this.images.values()) if (rec.repoDigests.includes(name)) return rec;
    return undefined;
  }

  /** Images whose id starts with the hex prefix (with or without `sha256:`). */
  byIdPrefix(prefix: string): ImageRecord[] {
    const hex = prefix.startsWith('sha256:') ? prefix.slice(7) : prefix;
    return this.list().filter((r) => r.id.slice(7).startsWith(hex));
  }

  /**
   * Runs `fn` on a copy of the state and persists the result; mutations run one at a time.
   * `fn` may return a value, which is passed back.
   */
  update<T>(fn: (images: Map<string, ImageRecord>) => T | Promise<T>): Promise<T> {
    return this.mutations.run(async (): Promise<T> => {
      const draft = new Map<string, ImageRecord>();
      for (const [k, v] of this.images) draft.set(k, structuredClone(v));
      const result = await fn(draft);
      await this.persist(draft);
      this.images = draft;
      return result;
    });
  }

  /** Adds or replaces an image and moves each of its tags off any other image. */
  put(rec: ImageRecord): Promise<void> {
    return this.update((images) => {
      const existing = images.get(rec.id);
      const merged: ImageRecord = existing
        ? {
            ...rec,
            addedAt: existing.addedAt,
            repoTags: union(existing.repoTags, rec.repoTags),
            repoDigests: union(existing.repoDigests, rec.repoDigests),
            sourceRepos: union(existing.sourceRepos, rec.sourceRepos),
          }
        : rec;
      for (const other of images.values())
        if (other.id !== rec.id)
          other.repoTags = other.repoTags.filter((t) => !merged.repoTags.includes(t));
      images.set(rec.id, merged);
    });
  }

  /** Blob digests still used by some image (manifest, config, layers). */
  referencedBlobs(images: Iterable<ImageRecord> = this.images.values()): Set<string> {
    const out = new Set<string>();
    for (const rec of images) {
      out.add(rec.manifestDigest);
      out.add(rec.id);
      for (const l of rec.layers) out.add(l.digest);
    }
    return out;
  }

  /** Chain ids still used by some image. */
  referencedLayers(images: Iterable<ImageRecord> = this.images.values()): Set<string> {
    const out = new Set<string>();
    for (const rec of images) for (const l of rec.layers) out.add(l.chainId);
    return out;
  }

  private async persist(images: Map<string, ImageRecord>): Promise<void> {
    const doc: StoreFile = { version: 1, images: Object.fromEntries(images) };
    const text = JSON.stringify(doc, null, 1);
    // Every task's pull of an image that is already here puts the same record again: skip the
    // write and its two fsyncs when nothing changed.
    if (text === this.persisted) return;
    await writeFileAtomic(this.file, text);
    this.persisted = text;
  }
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
