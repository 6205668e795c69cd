// `cp` on the agent: HEAD, GET and PUT /containers/:id/archive in Docker's shape, for the docker
// CLI, docker-py and `flotilla cp` alike. The files are reached through the runtime's view of the
// container (shared/archive resolves every path inside it); the copy rules live in the clients.
import { finished } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  checkWritable,
  encodePathStat,
  extractTar,
  lstatIn,
  packPath,
  pathStat,
  resolveIn,
  type FsView,
} from '../../../shared/archive/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import { decompressLayer } from '../../image/index.js';
import type { ContainerRuntime } from '../../runtime/index.js';
import { queryBool } from '../query-bool.js';
import type { RoutePlugin } from '../server.js';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

function target(req: FastifyRequest): { id: string; path: string; q: Record<string, string> } {
  const { id } = req.params as { id: string };
  const q = req.query as Record<string, string>;
  if (typeof q.path !== 'string' || q.path === '')
    throw new FlotillaError('INVALID_ARGUMENT', { detail: 'path is required (?path=)' });
  return { id, path: q.path, q };
}

async function statOrNotFound(view: FsView, id: string, path: string) {
  const s = await pathStat(view, path);
  if (!s) throw new FlotillaError('CONTAINER_PATH_NOT_FOUND', { path, container: id });
  return s;
}

function sendTar(reply: FastifyReply, stream: Readable): Promise<void> {
  void reply.type('application/x-tar').send(stream);
  // The view (a stopped container's mounted snapshot) is held until the tar has been written or
  // the client went away.
  return Promise.race([
    finished(stream).catch(() => undefined),
    finished(reply.raw).catch(() => undefined),
  ]).then(() => undefined);
}

export function archiveRoutes(runtime: ContainerRuntime): RoutePlugin {
  return (app: FastifyInstance) => {
    app.head('/containers/:id/archive', async (req, reply) => {
      const { id, path } = target(req);
      const { stat } = await runtime.withFilesystem(id, ({ view }) =>
        statOrNotFound(view, id, path),
      );
      return reply.header(STAT_HEADER, encodePathStat(stat)).send();
    });

    app.get('/containers/:id/archive', { exposeHeadRoute: false }, async (req, reply) => {
      const { id, path } = target(req);
      await runtime.withFilesystem(id, async ({ view }) => {
        const { stat, resolved } = await statOrNotFound(view, id, path);
        reply.header(STAT_HEADER, encodePathStat(stat));
        await sendTar(reply, packPath(view, resolved, stat.name));
      });
      return reply;
    });

    // The body is a tar whatever its label: docker-py sends no content type, and the docker CLI's
    // client labels it text/plain (fastify's default parser would read it as a string).
    void app.register(async (raw) => {
      raw.removeAllContentTypeParsers();
      raw.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
      raw.put('/containers/:id/archive', async (req, reply) => {
        const { id, path, q } = target(req);
        await runtime.withFilesystem(id, async ({ view, userOwner }) => {
          const dir = await resolveIn(view, `/${path}`);
          const st = await lstatIn(view, dir);
          if (!st) throw new FlotillaError('CONTAINER_PATH_NOT_FOUND', { path, container: id });
          if (!st.isDirectory())
            throw new FlotillaError('COPY_NOT_A_DIRECTORY', { path, container: id });
          checkWritable(view, dir);
          // Docker's copyUIDGID: the files become the container's User's; without a User, or
          // without the flag, they keep the archive's owners.
          const owner = (queryBool(q.copyUIDGID) && (await userOwner())) || 'archive';
          const { tar } = await decompressLayer(req.body as Readable, 'archive');
          await extractTar(view, dir, tar, {
            noOverwriteDirNonDir: queryBool(q.noOverwriteDirNonDir),
            owner,
          });
        });
        return reply.status(200).send();
      });
    });
  };
}
