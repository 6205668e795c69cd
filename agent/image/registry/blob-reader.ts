// Streams one blob as a single verified byte stream. A connection that drops mid-body is resumed
// with `Range: bytes=N-` (a 200 answer means the server restarted at zero: the bytes we already
// passed on are skipped); every byte is hashed; nothing past the descriptor's size is read; the
// final chunk is held back until size and digest check out, so consumers never see a clean end
// of wrong data.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Logger } from '../../../shared/log/index.js';
import type { RequestContext } from './errors.js';
import {
  backoffDelayMs,
  isAbortError,
  isTransientNetworkError,
  sleep,
  type RetryPolicy,
} from './retry.js';
import type { HttpResponse } from './transport.js';
import type { BlobProgress, Descriptor } from './types.js';

export interface BlobOpener {
  /** Opens the blob at `offset` (with Range when > 0). Resolves with a 200 or 206 response. */
  open(offset: number, signal?: AbortSignal): Promise<HttpResponse>;
}

export interface BlobReadOptions {
  signal?: AbortSignal;
  onProgress?: (p: BlobProgress) => void;
  policy: RetryPolicy;
  log: Logger;
  ctx: RequestContext;
}

function contentRangeStart(res: HttpResponse): number | undefined {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? '').trim());
  return m ? Number(m[1]) : undefined;
}

export function verifiedBlobStream(
  opener: BlobOpener,
  desc: Descriptor,
  opts: BlobReadOptions,
): Readable {
  const { signal, ctx, log } = opts;
  const algorithm = desc.digest.split(':')[0]!;
  const sizeError = (actual: string | number) =>
    new FlotillaError('BLOB_SIZE_MISMATCH', {
      ref: ctx.ref,
      digest: desc.digest,
      expected: desc.size,
      actual,
    });
  const verify = (hash: ReturnType<typeof createHash>) => {
    const actual = `${algorithm}:${hash.digest('hex')}`;
    if (actual !== desc.digest)
      throw new FlotillaError('BLOB_DIGEST_MISMATCH', {
        ref: ctx.ref,
        digest: desc.digest,
        actual,
      });
  };

  async function* chunks(): AsyncGenerator<Buffer> {
    const hash = createHash(algorithm);
    let received = 0;
    let failures = 0;
    for (;;) {
      signal?.throwIfAborted();
      const startedAt = received;
      let res: HttpResponse | undefined;
      let dropped: unknown;
      try {
        res = await opener.open(received, signal);
        let skip = 0;
        if (received > 0 && res.status === 200) skip = received;
        else if (res.status === 206 && contentRangeStart(res) !== received) {
          res.body.destroy();
          throw new FlotillaError('REGISTRY_REQUEST_FAILED', {
            ...ctx,
            detail: `asked for bytes from ${received}, got Content-Range "${res.headers['content-range']}"`,
          });
        }
        const response = res.body;
        try {
          for await (const raw of response.iterator({ destroyOnReturn: false })) {
            let chunk = raw as Buffer;
            if (skip > 0) {
              if (chunk.length <= skip) {
                skip -= chunk.length;
                continue;
              }
              chunk = chunk.subarray(skip);
              skip = 0;
            }
            if (received + chunk.length > desc.size) throw sizeError(`more than ${desc.size}`);
            hash.update(chunk);
            received += chunk.length;
            opts.onProgress?.({ digest: desc.digest, doneBytes: received, totalBytes: desc.size });
            if (received === desc.size) {
              verify(hash);
              yield chunk;
              return;
            }
            yield chunk;
          }
        } finally {
          // A finished body is drained so its keep-alive socket is reused; an unfinished one is
          // cut rather than read past the descriptor's size.
          if (!response.destroyed && !response.readableEnded) {
            if (response.complete) response.resume();
            else response.destroy();
          }
        }
        if (desc.size === 0 && received === 0) {
          verify(hash);
          return;
        }
        // A complete response (its Content-Length satisfied) that is short means the registry's
        // blob is smaller than the descriptor says; only a close-delimited body can have been cut.
        if (response.complete && res.headers['content-length'] !== undefined)
          throw sizeError(received);
        dropped = new Error(`body ended after ${received} of ${desc.size} bytes`);
      } catch (err) {
        if (isAbortError(err, signal)) throw signal?.reason ?? err;
        if (err instanceof FlotillaError) throw err;
        if (!isTransientNetworkError(err)) throw err;
        dropped = err;
      }
      // Progress resets the failure budget: a flaky link that keeps moving gets there.
      failures = received > startedAt ? 0 : failures + 1;
      const delay = backoffDelayMs(opts.policy, failures === 0 ? 0 : failures - 1);
      if (delay === undefined || failures > opts.policy.retries) {
        if (received < desc.size && dropped instanceof Error && /ended after/.test(dropped.message))
          throw sizeError(received);
        throw new FlotillaError(
          'REGISTRY_UNREACHABLE',
          { registry: ctx.registry, detail: `blob ${desc.digest}: ${(dropped as Error).message}` },
          { cause: dropped },
        );
      }
      log.warn(
        { digest: desc.digest, doneBytes: received, err: dropped },
        'blob download interrupted, resuming',
      );
      await sleep(delay, signal);
    }
  }

  return Readable.from(chunks(), { objectMode: false });
}
