// Runs layer extractions in worker threads (extract-worker.ts): the main thread only forwards the
// compressed bytes, with a bounded window of unacknowledged bytes (backpressure), and answers each
// job's one request for the lower layer dirs. The extractor's synchronous filesystem calls thus
// never block the agent's event loop, and layers unpacked together use both cores. Workers are
// kept for a while and reused: starting one costs ~0.15 s of CPU (Node's internal modules).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { ErrorCode, ErrorParams } from '../../../shared/errors/index.js';
import type { LayerCompression } from './decompress.js';

/** Bytes sent to a job and not yet taken by its tar parser. */
const WINDOW_BYTES = 8 * 1024 * 1024;
/**
 * Socket chunks (16-64 KiB) are gathered into batches of this size, copied once into a buffer of
 * their own and transferred, not cloned: one message per batch instead of one structured-clone
 * copy per chunk (a seventh of the main thread's time in the pull profile, issue 16).
 */
const BATCH_BYTES = 512 * 1024;
/** Idle workers beyond this many are ended at once; the rest after IDLE_MS. */
const MAX_IDLE_WORKERS = 4;
const IDLE_MS = 30_000;

const WORKER_URL = new URL('./extract-worker.js', import.meta.url);

type Result = { diffId: string; sizeBytes: number; compression: LayerCompression };

/** Messages from a worker, about its one current job. */
export type FromWorker =
  | { type: 'ack'; bytes: number }
  | { type: 'lowers' }
  | ({ type: 'done' } & Result)
  | { type: 'error'; code?: ErrorCode; params?: ErrorParams; message: string };

/** Messages to a worker. A job starts with 'start' and ends when the worker says done or error. */
export type ToWorker =
  | { type: 'start'; dest: string; layer: string }
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'end' }
  | { type: 'abort'; reason: string }
  | { type: 'lowers'; dirs?: string[]; error?: string };

/**
 * True when the compiled worker script is there. Under vitest the modules are TypeScript
 * sources that a worker cannot load, and extraction runs on the calling thread instead.
 */
export function canUseWorker(): boolean {
  return import.meta.url.endsWith('.js') && existsSync(fileURLToPath(WORKER_URL));
}

const idle: { worker: Worker; timer: NodeJS.Timeout }[] = [];

function takeWorker(): Worker {
  const w = idle.pop();
  if (w) {
    clearTimeout(w.timer);
    w.worker.ref();
    return w.worker;
  }
  return new Worker(WORKER_URL);
}

function releaseWorker(worker: Worker): void {
  worker.removeAllListeners('message');
  worker.removeAllListeners('error');
  worker.removeAllListeners('exit');
  if (idle.length >= MAX_IDLE_WORKERS) {
    void worker.terminate();
    return;
  }
  // An idle worker never keeps the process alive.
  worker.unref();
  const entry = {
    worker,
    timer: setTimeout(() => {
      idle.splice(idle.indexOf(entry), 1);
      void worker.terminate();
    }, IDLE_MS).unref(),
  };
  worker.once('exit', () => {
    const i = idle.indexOf(entry);
    if (i >= 0) idle.splice(i, 1);
  });
  idle.push(entry);
}

/**
 * Unpacks `source` into `dest` in a worker. Settles only when the worker has finished with the
 * job (completed, failed or aborted), so no write lands after the caller removes `dest`.
 */
export async function unpackInWorker(
  source: Readable,
  dest: string,
  layer: string,
  lowerDirs: () => Promise<string[]>,
  toLayerError: (err: unknown, layer: string) => unknown,
): Promise<Result> {
  const worker = takeWorker();
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let finished = false;
  let healthy = true;
  let lowersError: unknown;
  const send = (m: ToWorker) => worker.postMessage(m);

  const result = new Promise<Result>((resolve, reject) => {
    const finish = (fn: () => void) => {
      finished = true;
      fn();
      wake?.();
    };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ack') {
        inFlight -= m.bytes;
        wake?.();
      } else if (m.type === 'lowers') {
        lowerDirs().then(
          (dirs) => send({ type: 'lowers', dirs }),
          (err: unknown) => {
            // The job fails with the lower layer's error once the worker has stopped.
            lowersError = err;
            send({ type: 'lowers', error: err instanceof Error ? err.message : String(err) });
          },
        );
      } else if (m.type === 'done') {
        finish(() =>
          resolve({ diffId: m.diffId, sizeBytes: m.sizeBytes, compression: m.compression }),
        );
      } else {
        finish(() =>
          reject(
            lowersError ??
              (m.code
                ? new FlotillaError(m.code, m.params ?? {})
                : toLayerError(new Error(m.message), layer)),
          ),
        );
      }
    });
    worker.on('error', (err) => {
      healthy = false;
      finish(() => reject(toLayerError(err, layer)));
    });
    worker.on('exit', (code) => {
      healthy = false;
      if (!finished)
        finish(() => reject(toLayerError(new Error(`unpack worker exited (${code})`), layer)));
    });
  });
  // Keep the rejection handled while the feeder below is still running.
  result.catch(() => undefined);

  send({ type: 'start', dest, layer });
  let sourceError: unknown;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  const flush = () => {
    if (!batchBytes) return;
    const data = Buffer.concat(batch, batchBytes);
    batch = [];
    inFlight += batchBytes;
    batchBytes = 0;
    // Buffer.concat of more than 4 KiB allocates an ArrayBuffer of exactly its size: ours to give.
    const own = data.byteOffset === 0 && data.buffer.byteLength === data.length;
    worker.postMessage({ type: 'chunk', data } satisfies ToWorker, own ? [data.buffer] : []);
  };
  try {
    for await (const chunk of source) {
      if (finished) break;
      const buf = chunk as Buffer;
      batch.push(buf);
      batchBytes += buf.length;
      if (batchBytes >= BATCH_BYTES) flush();
      while (inFlight > WINDOW_BYTES && !finished) await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
    if (!finished) flush();
    if (!finished) send({ type: 'end' });
  } catch (err) {
    // The download failed: the worker drops the job; the caller removes the half-written dir.
    sourceError = err;
    if (!finished) send({ type: 'abort', reason: String(err) });
  }
  try {
    const r = await result;
    if (sourceError) throw toLayerError(sourceError, layer);
    return r;
  } catch (err) {
    source.destroy();
    throw sourceError ? toLayerError(sourceError, layer) : err;
  } finally {
    if (healthy) releaseWorker(worker);
    else void worker.terminate();
  }
}
