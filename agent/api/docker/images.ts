// Docker's image routes whose bodies differ from Flotilla's own: pull and import (POST
// /images/create), push and load (Docker's JSON message streams), tag, search and the listing.
// All call the same ImageService methods as agent/api/routes/images.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FlotillaError } from '../../../shared/errors/index.js';
import { parsePlatform, type ImageService, type ProgressEvent } from '../../image/index.js';
import type { Credentials } from '../../../shared/engine/index.js';
import { imageFilters, listImages } from '../queries/images.js';
import { dockerImport, dockerLoad } from './image-archives.js';
import { dockerMessageStream } from './message-stream.js';

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

/** `docker pull`: the ImageService's pull with Docker's JSON progress stream. */
function dockerPull(req: FastifyRequest, reply: FastifyReply, images: ImageService) {
  const q = req.query as Q;
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
  return dockerMessageStream(reply, (line, signal) =>
    images.pull(name, {
      credentials,
      signal,
      onProgress: (e) => line(dockerProgress(e)),
      ...(platform ? { platform } : {}),
    }),
  );
}

/** Every local `repo:tag` of a repository (`docker push --all-tags`), or the name when none. */
function tagsOfRepository(images: ImageService, repo: string): string[] {
  const tags = images
    .list()
    .flatMap((i) => i.RepoTags)
    .filter((t) => t.slice(0, t.lastIndexOf(':')) === repo);
  return tags.length ? tags : [repo];
}

export function dockerImageRoutes(app: FastifyInstance, images: ImageService): void {
  // Bodies of load and import are tars whatever their label (docker-py and the docker CLI send
  // none or text/plain): a scope that hands every body over as a stream.
  void app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    raw.post('/docker/images/load', (req, reply) => dockerLoad(req, reply, images));
    raw.post('/docker/images/create', (req, reply) =>
      (req.query as Q).fromSrc !== undefined
        ? dockerImport(req, reply, images)
        : dockerPull(req, reply, images),
    );
  });
  // `docker push NAME[:TAG]`: the CLI sends the name and ?tag= (empty with --all-tags: every tag
  // of the repository). The last lines are Docker's `TAG: digest: D size: N` and its aux record.
  app.post('/docker/images/:name/push', async (req, reply) => {
    const repo = (req.params as Q).name!;
    const tag = (req.query as Q).tag ?? '';
    const credentials = dockerAuth(req.headers['x-registry-auth']);
    const refs = tag !== '' ? [`${repo}:${tag}`] : tagsOfRepository(images, repo);
    return dockerMessageStream(reply, async (line) => {
      for (const ref of refs) {
        const r = await images.push(ref, {
          credentials,
          onProgress: (e) => line(dockerProgress(e)),
        });
        const pushedTag = ref.slice(ref.lastIndexOf(':') + 1);
        line({ progressDetail: {}, aux: { Tag: pushedTag, Digest: r.digest, Size: r.size } });
      }
    });
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
