// Worker thread entry for layer extractions, one job at a time (see worker-client.ts for the
// protocol): turns the posted chunks back into a stream, runs extractStream, and reports the result
// or the error (FlotillaErrors travel as code + params, so the caller rebuilds the same error).
import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { isFlotillaError } from '../../../shared/errors/index.js';
import { extractStream, toLayerError } from './extract-layer.js';
import type { FromWorker, ToWorker } from './worker-client.js';

const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);

interface Job {
  queue: (Buffer | null)[];
  aborted?: Error;
  wakeReader?: () => void;
  lowersAnswer?: (m: Extract<ToWorker, { type: 'lowers' }>) => void;
}
let job: Job | undefined;

port.on('message', (m: ToWorker) => {
  if (m.type === 'start') {
    job = { queue: [] };
    run(job, m.dest, m.layer);
    return;
  }
  if (!job) return;
  if (m.type === 'chunk')
    job.queue.push(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.length));
  else if (m.type === 'end') job.queue.push(null);
  else if (m.type === 'abort') job.aborted = new Error(`download failed: ${m.reason}`);
  else job.lowersAnswer?.(m);
  job.wakeReader?.();
});

function run(j: Job, dest: string, layer: string): void {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (;;) {
      while (j.queue.length === 0 && !j.aborted) await new Promise<void>((r) => (j.wakeReader = r));
      if (j.aborted) throw j.aborted;
      const c = j.queue.shift()!;
      if (c === null) return;
      yield c;
      // Taken by the stream: let the main thread send more.
      post({ type: 'ack', bytes: c.length });
    }
  }
  async function lowerDirs(): Promise<string[]> {
    const answer = new Promise<Extract<ToWorker, { type: 'lowers' }>>((r) => (j.lowersAnswer = r));
    post({ type: 'lowers' });
    const m = await answer;
    if (m.error !== undefined) throw new Error(m.error);
    return m.dirs ?? [];
  }
  extractStream(Readable.from(chunks(), { objectMode: false }), dest, layer, lowerDirs).then(
    (r) => {
      job = undefined;
      post({ type: 'done', ...r });
    },
    (err: unknown) => {
      job = undefined;
      const e = toLayerError(err, layer);
      if (isFlotillaError(e))
        post({ type: 'error', code: e.code, params: e.params, message: e.message });
      else post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    },
  );
}
