// Docker's JSON message stream (pull, push, load, import, build): NDJSON lines a handler writes
// while it works, and a failure as Docker's last line, since the 200 has gone out by then.
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { toFlotillaError } from '../../../shared/errors/index.js';

/**
 * Docker's JSON message stream: `work` writes lines; a failure becomes Docker's last line
 * `{"errorDetail":{"message"},"error"}` (the status is 200 by then, as in Docker).
 */
export function dockerMessageStream(
  reply: FastifyReply,
  work: (line: (doc: unknown) => void, signal: AbortSignal) => Promise<unknown>,
): FastifyReply {
  const out = new PassThrough();
  const ac = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) ac.abort(new Error('client went away'));
  });
  const line = (doc: unknown) => out.write(`${JSON.stringify(doc)}\n`);
  work(line, ac.signal).then(
    () => out.end(),
    (err: unknown) => {
      const message = toFlotillaError(err).message;
      line({ errorDetail: { message }, error: message });
      out.end();
    },
  );
  return reply.type('application/json').send(out);
}
