// Docker's `load` and `import` bodies around the ImageService's own load and import: the load
// answers Docker's JSON message stream (`{"stream":"Loaded image: x\n"}`, what `docker load` and
// docker-py's images.load() read); import (`POST /images/create?fromSrc=-`) answers `{"status":ID}`.
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { ImageService } from '../../image/index.js';
import { configChanges } from '../../image/build/index.js';
import { dockerMessageStream } from './message-stream.js';

type Q = Record<string, string | string[] | undefined>;

function tarBody(req: FastifyRequest, code: 'IMAGE_ARCHIVE_INVALID' | 'IMAGE_IMPORT_INVALID') {
  const body = req.body as Readable | undefined;
  if (!body || typeof body.pipe !== 'function')
    throw new FlotillaError(code, { reason: 'send the tar as the request body' });
  return body;
}

const one = (q: Q, k: string) => (typeof q[k] === 'string' ? q[k] : undefined);

/** `POST /images/load[?quiet=1]`: quiet leaves out progress, which this load never sends. */
export function dockerLoad(req: FastifyRequest, reply: FastifyReply, images: ImageService) {
  const body = tarBody(req, 'IMAGE_ARCHIVE_INVALID');
  return dockerMessageStream(reply, async (line) => {
    try {
      for (const l of await images.load(body)) line({ stream: `${l}\n` });
    } finally {
      body.resume();
    }
  });
}

/**
 * `docker import`: `fromSrc=-` with the root filesystem tar as the body, `repo`/`tag` naming the
 * image, `message`, and `changes` (repeatable Dockerfile lines). A URL source is refused: the
 * agent does not download on a client's behalf.
 */
export function dockerImport(req: FastifyRequest, reply: FastifyReply, images: ImageService) {
  const q = req.query as Q;
  if (q.fromSrc !== '-')
    throw new FlotillaError('INVALID_ARGUMENT', {
      detail: `fromSrc ${JSON.stringify(q.fromSrc)} is not supported: send the tar as the body with fromSrc=-`,
    });
  const platform = one(q, 'platform');
  if (platform && !platform.startsWith('linux/'))
    throw new FlotillaError('INVALID_ARGUMENT', {
      detail: `platform "${platform}" is not supported: only linux images are imported`,
    });
  const repo = one(q, 'repo');
  const tag = one(q, 'tag');
  const ref = repo ? (tag ? `${repo}:${tag}` : repo) : undefined;
  if (tag && !repo) throw new FlotillaError('INVALID_ARGUMENT', { detail: 'tag without repo' });
  const changes = ([] as string[])
    .concat(q.changes ?? [])
    .flatMap((s) => s.split('\n'))
    .filter((s) => s.trim() !== '');
  const body = tarBody(req, 'IMAGE_IMPORT_INVALID');
  return dockerMessageStream(reply, async (line) => {
    try {
      const id = await images.import(body, {
        ref,
        message: one(q, 'message'),
        configure: configChanges(changes),
      });
      line({ status: id });
    } finally {
      body.resume();
    }
  });
}
