// The agent's image API, in the shape of Docker's engine API where it has one. Pull and push
// answer with an NDJSON stream of progress events ending in a result or `{ "error": ... }` line.
// Registry credentials come per request in X-Registry-Auth (base64 JSON {username,password});
// the agent never stores them.
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FlotillaError, toFlotillaError } from '../../../shared/errors/index.js';
import type { Credentials, ImageService, ProgressEvent } from '../../image/index.js';
import type { RoutePlugin } from '../server.js';
import { queryBool } from '../query-bool.js';
import { configChanges } from '../../image/build/index.js';
import { imageFilters, imagePruneFilters, listImages } from '../queries/images.js';

const nameParam = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 512 } },
} as const;

/** Reads X-Registry-Auth; absent means anonymous. */
export function credentialsFrom(header: unknown): Credentials | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  let doc: { username?: unknown; password?: unknown };
  try {
    doc = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as typeof doc;
  } catch (err) {
    throw new FlotillaError('IMAGE_AUTH_INVALID', { reason: 'not base64 JSON' }, { cause: err });
  }
  if (typeof doc?.username !== 'string' || typeof doc.password !== 'string')
    throw new FlotillaError('IMAGE_AUTH_INVALID', { reason: 'username and password are required' });
  if (doc.username === '' && doc.password === '') return undefined;
  return { username: doc.username, password: doc.password };
}

/** Streams NDJSON progress while `work` runs; a failure becomes the last line. */
function progressStream(
  reply: FastifyReply,
  work: (emit: (e: ProgressEvent) => void, signal: AbortSignal) => Promise<unknown>,
): FastifyReply {
  const out = new PassThrough();
  const ac = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) ac.abort(new Error('client went away'));
  });
  const line = (doc: unknown) => out.write(`${JSON.stringify(doc)}\n`);
  work(line, ac.signal).then(
    (result) => {
      if (result !== undefined) line({ result });
      out.end();
    },
    (err: unknown) => {
      line({ error: toFlotillaError(err).toJSON() });
      out.end();
    },
  );
  return reply.type('application/x-ndjson').send(out);
}

export function imageRoutes(images: ImageService): RoutePlugin {
  return (app: FastifyInstance) => {
    app.post(
      '/images/pull',
      {
        schema: {
          querystring: {
            type: 'object',
            required: ['fromImage'],
            properties: {
              fromImage: { type: 'string', minLength: 1 },
              platform: { type: 'string' },
            },
          },
        },
      },
      async (request, reply) => {
        const q = request.query as { fromImage: string; platform?: string };
        const credentials = credentialsFrom(request.headers['x-registry-auth']);
        const platform = q.platform ? parsePlatform(q.platform) : undefined;
        return progressStream(reply, async (emit, signal) => {
          const r = await images.pull(q.fromImage, {
            credentials,
            platform,
            signal,
            onProgress: emit,
          });
          return { id: r.record.id, ref: r.ref };
        });
      },
    );

    app.post(
      '/images/push',
      {
        schema: {
          querystring: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string', minLength: 1 } },
          },
        },
      },
      async (request, reply) => {
        const q = request.query as { name: string };
        const credentials = credentialsFrom(request.headers['x-registry-auth']);
        return progressStream(reply, (emit) =>
          images.push(q.name, { credentials, onProgress: emit }),
        );
      },
    );

    // The listing Docker's GET /images/json answers too (queries/images.ts).
    app.get(
      '/images',
      {
        schema: {
          querystring: {
            type: 'object',
            properties: { all: { type: 'boolean' }, filters: { type: 'string' } },
          },
        },
      },
      async (request) =>
        listImages(images, imageFilters((request.query as { filters?: string }).filters)),
    );

    app.get(
      '/images/get',
      {
        schema: {
          querystring: {
            type: 'object',
            required: ['names'],
            properties: { names: { type: 'string', minLength: 1 } },
          },
        },
      },
      async (request, reply) => {
        const names = (request.query as { names: string }).names.split(',');
        // Resolve every name before the 200 goes out, so a typo is a proper error.
        for (const n of names) images.find(n);
        return reply.type('application/x-tar').send(images.save(names));
      },
    );

    app.get(
      '/images/search',
      {
        schema: {
          querystring: {
            type: 'object',
            required: ['term'],
            properties: {
              term: { type: 'string', minLength: 1 },
              limit: { type: 'integer', minimum: 1, maximum: 100 },
            },
          },
        },
      },
      async (request) => {
        const q = request.query as { term: string; limit?: number };
        const credentials = credentialsFrom(request.headers['x-registry-auth']);
        return images.search(q.term, { limit: q.limit, credentials });
      },
    );

    app.post(
      '/images/load',
      { schema: { querystring: { type: 'object', properties: { quiet: { type: 'boolean' } } } } },
      async (request) => {
        const body = request.body as Readable | undefined;
        if (!body || typeof (body as Readable).pipe !== 'function')
          throw new FlotillaError('IMAGE_ARCHIVE_INVALID', { reason: 'send the tar as the body' });
        return { lines: await images.load(body) };
      },
    );

    app.post(
      '/images/import',
      {
        schema: {
          querystring: {
            type: 'object',
            properties: {
              repo: { type: 'string' },
              message: { type: 'string', maxLength: 4096 },
              source: { type: 'string', maxLength: 4096 },
              changes: { type: 'string', maxLength: 65536 },
            },
          },
        },
      },
      async (request) => {
        const q = request.query as {
          repo?: string;
          message?: string;
          source?: string;
          changes?: string;
        };
        const body = request.body as Readable | undefined;
        if (!body || typeof (body as Readable).pipe !== 'function')
          throw new FlotillaError('IMAGE_IMPORT_INVALID', { reason: 'send the tar as the body' });
        const id = await images.import(body, {
          ref: q.repo || undefined,
          message: q.message,
          source: q.source,
          configure: configChanges(q.changes?.split('\n').filter((l) => l.trim() !== '') ?? []),
        });
        return { id };
      },
    );

    app.post(
      '/images/prune',
      {
        schema: {
          querystring: {
            type: 'object',
            properties: { all: { type: 'boolean' }, filters: { type: 'string' } },
          },
        },
      },
      // Docker's `filters` (the docker CLI's `-a` is dangling=false) and Flotilla's `all`.
      async (request) => {
        const q = request.query as { all?: boolean; filters?: string };
        return images.prune(imagePruneFilters(images, q.filters, q.all === true));
      },
    );

    app.get('/images/:name/json', { schema: { params: nameParam } }, async (request) =>
      images.inspect((request.params as { name: string }).name),
    );

    app.get('/images/:name/history', { schema: { params: nameParam } }, async (request) =>
      images.history((request.params as { name: string }).name),
    );

    app.post(
      '/images/:name/tag',
      {
        schema: {
          params: nameParam,
          querystring: {
            type: 'object',
            required: ['target'],
            properties: { target: { type: 'string', minLength: 1 } },
          },
        },
      },
      async (request, reply) => {
        await images.tag(
          (request.params as { name: string }).name,
          (request.query as { target: string }).target,
        );
        return reply.status(201).send({});
      },
    );

    app.delete(
      '/images/:name',
      {
        schema: {
          params: nameParam,
          // Read as Docker's BoolValue: docker-py sends `force=False&noprune=False`. `noprune`
          // keeps untagged parents; images here have none, so it changes nothing.
          querystring: {
            type: 'object',
            properties: { force: { type: 'string' }, noprune: { type: 'string' } },
          },
        },
      },
      async (request) =>
        images.remove((request.params as { name: string }).name, {
          force: queryBool((request.query as { force?: string }).force),
        }),
    );

    app.post(
      '/auth',
      {
        schema: {
          body: {
            type: 'object',
            required: ['serveraddress', 'username', 'password'],
            properties: {
              serveraddress: { type: 'string' },
              username: { type: 'string', minLength: 1 },
              password: { type: 'string' },
            },
          },
        },
      },
      async (request) => {
        const b = request.body as { serveraddress: string; username: string; password: string };
        await images.login(b.serveraddress, { username: b.username, password: b.password });
        return { Status: 'Login Succeeded' };
      },
    );
  };
}

function parsePlatform(s: string): { os: string; architecture: string; variant?: string } {
  const [os, architecture, variant] = s.split('/');
  if (!os || !architecture)
    throw new FlotillaError('INVALID_FLAG_VALUE', {
      value: s,
      flag: '--platform',
      reason: 'use os/arch[/variant], e.g. linux/amd64',
    });
  return variant ? { os, architecture, variant } : { os, architecture };
}
