// Detects a layer's compression by its magic bytes (media types are sometimes wrong) and returns
// the plain tar stream. gzip uses zlib; zstd spawns `zstd -dc`, since Node 20 has no zstd.
import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { FlotillaError } from '../../../shared/errors/index.js';

export type LayerCompression = 'gzip' | 'zstd' | 'none';

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

export function detectCompression(head: Buffer): LayerCompression {
  if (head.subarray(0, 2).equals(GZIP_MAGIC)) return 'gzip';
  if (head.subarray(0, 4).equals(ZSTD_MAGIC)) return 'zstd';
  return 'none';
}

/** Reads the first bytes of `source` and returns them with a stream of the whole content. */
async function peek(source: Readable, n: number): Promise<{ head: Buffer; all: Readable }> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const chunks: Buffer[] = [];
  let len = 0;
  let ended = false;
  while (len < n) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    const b = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    chunks.push(b);
    len += b.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    }
  }
  return { head, all: Readable.from(replay(), { objectMode: false }) };
}

/** Returns the uncompressed tar bytes of a layer, whatever its compression. */
export async function decompressLayer(
  source: Readable,
  layer: string,
): Promise<{ compression: LayerCompression; tar: Readable }> {
  const { head, all } = await peek(source, 4);
  const compression = detectCompression(head);
  if (compression === 'none') return { compression, tar: all };
  if (compression === 'gzip') {
    // 64 KiB output chunks (zlib's default is 16 KiB): a quarter of the callbacks into the tar
    // parser and of the threadpool round-trips.
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    pipeline(all, gunzip).catch((err: unknown) => gunzip.destroy(err as Error));
    return { compression, tar: gunzip };
  }
  return { compression, tar: spawnZstd(all, layer) };
}

function spawnZstd(input: Readable, layer: string): Readable {
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  const child = spawn('zstd', ['-dc', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let failed = false;
  const fail = (err: Error) => {
    if (failed) return;
    failed = true;
    child.kill('SIGKILL');
    input.destroy();
    out.destroy(err);
  };
  child.on('error', (err: NodeJS.ErrnoException) => {
    fail(
      err.code === 'ENOENT'
        ? new FlotillaError(
            'UNSUPPORTED_LAYER_MEDIA_TYPE',
            { layer, reason: 'the zstd program is not installed' },
            { cause: err },
          )
        : err,
    );
  });
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  // EPIPE on stdin when zstd exits early is reported through its exit status instead.
  child.stdin.on('error', () => {});
  pipeline(input, child.stdin).catch(() => {});
  child.stdout.pipe(out, { end: false });
  child.on('close', (code, signal) => {
    if (failed) return;
    if (code === 0) out.end();
    else
      fail(
        new FlotillaError('LAYER_INVALID', {
          layer,
          image: '',
          reason: `zstd failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`,
        }),
      );
  });
  // If the consumer gives up, stop zstd.
  out.on('close', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return out;
}
