// The contract of the content store: blobs (manifests, configs, compressed layers) addressed by
// digest. A blob is visible only once its bytes were verified; callers never see partial blobs.
import type { Readable, Writable } from 'node:stream';

export interface BlobInfo {
  /** sha256:<hex> of the stored bytes. */
  digest: string;
  sizeBytes: number;
}

export interface ExpectedBlob {
  digest: string;
  size: number;
}

/** A write in progress: pipe bytes into `writable`, then await `done`. */
export interface IngestHandle {
  writable: Writable;
  /**
   * Resolves with the stored blob once `writable` has ended and the bytes were verified, fsynced and
   * renamed into place. Rejects with CONTENT_DIGEST_MISMATCH / CONTENT_SIZE_MISMATCH (nothing is
   * kept), or with the error the writable was destroyed with.
   */
  done: Promise<{ digest: string; size: number }>;
  /** Abandons the write and removes the temporary file. */
  abort(err?: Error): void;
}

export interface ContentStore {
  /**
   * Stores the bytes of `source`. With `expected`, the size and digest are verified before the blob
   * becomes visible; without, the digest is computed. Concurrent ingests of one digest are safe:
   * each writes its own temporary file and the rename is atomic.
   */
  ingest(
    expected: ExpectedBlob | undefined,
    source: Readable,
  ): Promise<{ digest: string; size: number }>;
  /**
   * The tee-friendly form of `ingest`: returns a writable to pipe bytes into (e.g. the same chunks
   * the pull also feeds to the unpacker) and a promise for the result.
   */
  ingestStream(expected?: ExpectedBlob): IngestHandle;
  has(digest: string): Promise<boolean>;
  /** Throws CONTENT_NOT_FOUND. */
  stat(digest: string): Promise<BlobInfo>;
  /** Opens a stored blob; throws CONTENT_NOT_FOUND. */
  openRead(digest: string): Promise<Readable>;
  /**
   * Reads a whole blob. Throws CONTENT_TOO_LARGE past `maxBytes` (default 4 MiB), so a config or
   * manifest cannot exhaust memory.
   */
  readAll(digest: string, opts?: { maxBytes?: number }): Promise<Buffer>;
  /** Removes a blob; returns false if it was absent. */
  delete(digest: string): Promise<boolean>;
  list(): Promise<BlobInfo[]>;
  /** Absolute path of a stored blob (for tools that read files, e.g. a registry push). */
  blobPath(digest: string): string;
}
