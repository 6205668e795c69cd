// Blobs on disk under <root>/blobs/sha256/<hex>. Writes go to <root>/ingest/<random> while being
// hashed, are verified, fsynced, and then renamed into place, so a blob path exists only for
// verified bytes. It knows nothing of manifests or layers (that is the image store's job).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { BlobInfo, ContentStore, ExpectedBlob, IngestHandle } from './content-store.js';
import { digestHex, isValidDigest } from './digest.js';

const DEFAULT_READ_ALL_MAX_BYTES = 4 * 1024 * 1024;

export class FsContentStore implements ContentStore {
  private readonly blobsDir: string;
  private readonly ingestDir: string;
  private ready: Promise<void> | undefined;

  constructor(readonly root: string) {
    this.blobsDir = join(root, 'blobs', 'sha256');
    this.ingestDir = join(root, 'ingest');
  }

  /** Creates the directories; called lazily by every write, so calling it is optional. */
  async init(): Promise<void> {
    this.ready ??= Promise.all([
      mkdir(this.blobsDir, { recursive: true, mode: 0o700 }),
      mkdir(this.ingestDir, { recursive: true, mode: 0o700 }),
    ]).then(() => undefined);
    return this.ready;
  }

  blobPath(digest: string): string {
    return join(this.blobsDir, digestHex(digest));
  }

  async ingest(
    expected: ExpectedBlob | undefined,
    source: Readable,
  ): Promise<{ digest: string; size: number }> {
    const handle = this.ingestStream(expected);
    // The pipeline's own failure (source error) is reported through `done` as well.
    const piping = pipeline(source, handle.writable).catch((err: unknown) => {
      handle.abort(err instanceof Error ? err : new Error(String(err)));
    });
    const result = await handle.done;
    await piping;
    return result;
  }

  ingestStream(expected?: ExpectedBlob): IngestHandle {
    if (expected) digestHex(expected.digest);
    const tmpPath = join(this.ingestDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    let fh: FileHandle | undefined;
    let settle!: {
      resolve: (v: { digest: string; size: number }) => void;
      reject: (e: unknown) => void;
    };
    const done = new Promise<{ digest: string; size: number }>((resolve, reject) => {
      settle = { resolve, reject };
    });
    let finished = false;
    const fail = async (err: unknown): Promise<void> => {
      if (finished) return;
      finished = true;
      // The temp file may still be being created: remove it only once open has settled.
      await opening.catch(() => {});
      await fh?.close().catch(() => {});
      await rm(tmpPath, { force: true }).catch(() => {});
      settle.reject(err);
    };

    const opening = this.init().then(async () => {
      fh = await open(tmpPath, 'wx', 0o600); // configs carry the image's env
    });

    // Chunks that queue while a write is in flight go down in one writev(2): a socket chunk is
    // 16-64 KiB, and one write per chunk cost a quarter of the main thread in the pull profile.
    const writeAll = async (chunks: Buffer[]) => {
      await opening;
      for (const chunk of chunks) {
        size += chunk.length;
        if (expected && size > expected.size) {
          throw new FlotillaError('CONTENT_SIZE_MISMATCH', {
            digest: expected.digest,
            expected: expected.size,
            actual: `more than ${expected.size}`,
          });
        }
        hash.update(chunk);
      }
      let pending = chunks;
      while (pending.length) {
        const { bytesWritten } = await fh!.writev(pending);
        pending = afterBytes(pending, bytesWritten);
      }
    };
    const writable = new Writable({
      highWaterMark: 1024 * 1024,
      write: (chunk: Buffer, _enc, cb) => {
        writeAll([chunk]).then(() => cb(), cb);
      },
      writev: (chunks, cb) => {
        writeAll(chunks.map((c) => c.chunk as Buffer)).then(() => cb(), cb);
      },
      final: (cb) => {
        opening
          .then(async () => {
            const digest = `sha256:${hash.digest('hex')}`;
            if (expected && size !== expected.size) {
              throw new FlotillaError('CONTENT_SIZE_MISMATCH', {
                digest: expected.digest,
                expected: expected.size,
                actual: size,
              });
            }
            if (expected && digest !== expected.digest) {
              throw new FlotillaError('CONTENT_DIGEST_MISMATCH', {
                expected: expected.digest,
                actual: digest,
              });
            }
            await fh!.sync();
            await fh!.close();
            fh = undefined;
            // rename(2) replaces atomically: a concurrent ingest of the same digest writes the same
            // verified bytes, so whichever rename lands last leaves a correct blob.
            await rename(tmpPath, this.blobPath(digest));
            finished = true;
            settle.resolve({ digest, size });
          })
          .then(
            () => cb(),
            (err: unknown) => {
              void fail(err);
              cb(err as Error);
            },
          );
      },
      destroy: (err, cb) => {
        if (!finished) void fail(err ?? new Error('ingest aborted'));
        cb(err);
      },
    });
    // A write error is delivered through `done`; keep the stream's own 'error' from going unhandled.
    writable.on('error', (err) => void fail(err));
    return {
      writable,
      done,
      abort: (err?: Error) => {
        writable.destroy(err ?? new Error('ingest aborted'));
      },
    };
  }

  async has(digest: string): Promise<boolean> {
    try {
      return (await stat(this.blobPath(digest))).isFile();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  async stat(digest: string): Promise<BlobInfo> {
    try {
      const st = await stat(this.blobPath(digest));
      return { digest, sizeBytes: st.size };
    } catch (err) {
      throw notFound(digest, err);
    }
  }

  async openRead(digest: string): Promise<Readable> {
    const path = this.blobPath(digest);
    const fh = await open(path, 'r').catch((err: unknown) => {
      throw notFound(digest, err);
    });
    // Opening first turns a missing blob into an error here rather than on the stream.
    return fh.createReadStream({ autoClose: true, highWaterMark: 1024 * 1024 });
  }

  async readAll(digest: string, opts: { maxBytes?: number } = {}): Promise<Buffer> {
    const limitBytes = opts.maxBytes ?? DEFAULT_READ_ALL_MAX_BYTES;
    const fh = await open(this.blobPath(digest), 'r').catch((err: unknown) => {
      throw notFound(digest, err);
    });
    try {
      const { size } = await fh.stat();
      if (size > limitBytes) {
        throw new FlotillaError('CONTENT_TOO_LARGE', { digest, sizeBytes: size, limitBytes });
      }
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  async delete(digest: string): Promise<boolean> {
    const path = this.blobPath(digest);
    try {
      await stat(path);
    } catch {
      return false;
    }
    await rm(path, { force: true });
    return true;
  }

  async list(): Promise<BlobInfo[]> {
    let names: string[];
    try {
      names = await readdir(this.blobsDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: BlobInfo[] = [];
    for (const hex of names.sort()) {
      const digest = `sha256:${hex}`;
      if (!isValidDigest(digest)) continue;
      const st = await stat(join(this.blobsDir, hex)).catch(() => undefined);
      if (st?.isFile()) out.push({ digest, sizeBytes: st.size });
    }
    return out;
  }

  /** Removes temporary files left by a crash mid-ingest. Call at startup, before any ingest. */
  async cleanupIngests(): Promise<void> {
    await rm(this.ingestDir, { recursive: true, force: true });
    this.ready = undefined;
    await this.init();
  }
}

function notFound(digest: string, err: unknown): unknown {
  if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') {
    return new FlotillaError('CONTENT_NOT_FOUND', { digest }, { cause: err });
  }
  return err;
}

/** What is left of `chunks` after the first `n` bytes were written (a short writev). */
function afterBytes(chunks: Buffer[], n: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const c of chunks) {
    if (n >= c.length) n -= c.length;
    else {
      rest.push(n > 0 ? c.subarray(n) : c);
      n = 0;
    }
  }
  return rest;
}
