// The contract between the registry client (agent/image/registry) and its users (pull, push,
// search, login). Owned by the registry component; consumers depend on these types only.
import type { Credentials } from '../../../shared/engine/index.js';
import type { ImageReference } from '../reference/index.js';
import type { Readable } from 'node:stream';

export type { ImageReference };

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

/** An image manifest (Docker schema2 or OCI), after platform selection. */
export interface ResolvedImage {
  /** Digest of the exact manifest bytes. */
  manifestDigest: string;
  manifestMediaType: string;
  manifestBytes: Buffer;
  config: Descriptor;
  layers: Descriptor[];
  /** Set when the reference named an index or manifest list. */
  index?: { digest: string; mediaType: string; bytes: Buffer };
}

export type { Credentials };

/** Progress of one blob transfer, for progress lines. */
export interface BlobProgress {
  digest: string;
  doneBytes: number;
  totalBytes: number;
}

export interface BlobSource {
  descriptor: Descriptor;
  /** Opens the blob's bytes from local storage. */
  open(): Readable;
}

export interface RegistryClient {
  /** Resolves a reference to a platform manifest; throws IMAGE_NOT_FOUND, REGISTRY_* errors naming the image. */
  resolve(
    ref: ImageReference,
    opts?: { platform?: Platform; signal?: AbortSignal },
  ): Promise<ResolvedImage>;
  /** Reads a small blob (config) fully, verifying size and digest. */
  fetchSmallBlob(
    ref: ImageReference,
    desc: Descriptor,
    opts?: { signal?: AbortSignal },
  ): Promise<Buffer>;
  /**
   * Streams a blob. Follows redirects, resumes with Range after a dropped connection (transparently,
   * as one continuous stream), retries transient failures with backoff, and fails the stream with
   * BLOB_DIGEST_MISMATCH / BLOB_SIZE_MISMATCH if the bytes are wrong.
   */
  openBlob(
    ref: ImageReference,
    desc: Descriptor,
    opts?: { signal?: AbortSignal; onProgress?: (p: BlobProgress) => void },
  ): Readable;
  /** True if the repository already has the blob (HEAD). */
  hasBlob(ref: ImageReference, digest: string): Promise<boolean>;
  /** Uploads a blob unless present; tries a cross-repository mount from `mountFrom` first. */
  pushBlob(
    ref: ImageReference,
    blob: BlobSource,
    opts?: { mountFrom?: string; onProgress?: (p: BlobProgress) => void },
  ): Promise<'exists' | 'mounted' | 'uploaded'>;
  /** PUTs a manifest under the reference's tag (or digest). Returns the digest. */
  pushManifest(ref: ImageReference, mediaType: string, bytes: Buffer): Promise<string>;
  /** Repositories in the registry's catalogue that contain `term`. */
  search(domain: string, term: string, opts?: { limit?: number }): Promise<string[]>;
  /** Checks credentials against the registry (GET /v2/ with auth). */
  login(domain: string, creds: Credentials): Promise<void>;
}
