// Docker's image routes whose bodies differ from Flotilla's own: pull (POST /images/create, with
// Docker's JSON progress stream and error lines) and the listing (GET /images/json). Both call
// the same ImageService methods as agent/api/routes/images.ts.
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { FlotillaError, toFlotillaError } from '../../../shared/errors/index.js';
import { parsePlatform, type ImageService, type ProgressEvent } from '../../image/index.js';
import type { Credentials } from '../../../shared/engine/index.js';
import { imageFilters, listImages } from '../queries/images.js';

type Q = Record<string, string | undefined>;

/** One line of Docker's JSON message stream (what `docker pull` renders). */
export function dockerProgress(e: ProgressEvent): Record<string, unknown> {
  return {
    status: e.status,
    ...(e.id ? { id: e.id } : {}),
    ...(e.progress
      ? { progressDetail: { current: e.progress.current, total: e.progress.total } }
      : {}),
  };
}

/**
 * Docker's X-Registry-Auth: base64url JSON AuthConfig; the CLI sends `{}` for anonymous pulls.
 * Identity tokens are refused rather than ignored.
 */
export function dockerAuth(header: unknown): Credentials | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  let doc: { username?: unknown; password?: unknown; identitytoken?: unknown };
  try {
    doc = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as typeof doc;
  } catch (err) {
    throw new FlotillaError('IMAGE_AUTH_INVALID', { reason: 'not base64 JSON' }, { cause: err });
  }
  if (doc?.identitytoken)
    throw new FlotillaError('IMAGE_AUTH_INVALID', { reason: 'identity tokens are not supported' });
  if (typeof doc?.username !== 'string' || !doc.username) return undefined;
  return { username: doc.username, password: typeof doc.password === 'string' ? doc.password : '' };
}

export function dockerImageRoutes(app: FastifyInstance, images: ImageService): void {
  app.post('/docker/images/create', async (req, reply) => {
    const q = req.query as Q;
    if (q.fromSrc !== undefined)
      throw new FlotillaError('INVALID_ARGUMENT', {
        detail: 'fromSrc (docker import) is not supported by this API; use POST /images/import',
      });
    if (!q.fromImage)
      throw new FlotillaError('INVALID_ARGUMENT', { detail: 'fromImage is required' });
    // `docker pull/run --platform`: the registry's manifest for it, as Flotilla's own pull route.
    const platform = q.platform ? parsePlatform(q.platform) : undefined;
    if (q.platform && !platform)
      throw new FlotillaError('INVALID_ARGUMENT', {
        detail: `platform "${q.platform}" is not os/arch[/variant]`,
      });
    const tag = q.tag ?? '';
    const name = tag === '' ? q.fromImage : `${q.fromImage}${tag.includes(':') ? '@' : ':'}${tag}`;
    const credentials = dockerAuth(req.headers['x-registry-auth']);
    const out = new PassThrough();
    const ac = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) ac.abort(new Error('client went away'));
    });
    const line = (doc: unknown) => out.write(`${JSON.stringify(doc)}\n`);
    images
      .pull(name, {
        credentials,
        signal: ac.signal,
        onProgress: (e) => line(dockerProgress(e)),
        ...(platform ? { platform } : {}),
      })
      .then(
        () => out.end(),
        (err: unknown) => {
          const message = toFlotillaError(err).message;
          line({ errorDetail: { message }, error: message });
          out.end();
        },
      );
    return reply.type('application/json').send(out);
  });

  // Docker: ?repo=&tag= (tag defaults to latest); Flotilla's own route takes ?target=.
  app.post('/docker/images/:name/tag', async (req, reply) => {
    const q = req.query as Q;
    if (!q.repo) throw new FlotillaError('INVALID_ARGUMENT', { detail: 'repo is required' });
    await images.tag((req.params as Q).name!, `${q.repo}:${q.tag || 'latest'}`);
    return reply.status(201).send();
  });

  // Docker's X-Registry-Auth (`{}` or only a serveraddress when anonymous) and result fields.
  app.get('/docker/images/search', async (req) => {
    const q = req.query as Q;
    if (!q.term) throw new FlotillaError('INVALID_ARGUMENT', { detail: 'term is required' });
    const limit = q.limit ? Number(q.limit) : undefined;
    const found = await images.search(q.term, {
      limit: limit && limit > 0 ? limit : undefined,
      credentials: dockerAuth(req.headers['x-registry-auth']),
    });
    return found.map((f) => ({
      name: f.name,
      description: '',
      star_count: 0,
      is_official: false,
      is_automated: false,
    }));
  });

  app.get('/docker/images/json', async (req) => {
    const list = await listImages(images, imageFilters((req.query as Q).filters));
    return list.map((i) => ({ ...i, ParentId: '', SharedSize: -1, Containers: -1 }));
  });
}
