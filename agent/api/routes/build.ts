// The build API: POST /build (context tar in, NDJSON step output out, as Docker's /build),
// POST /commit and GET /containers/:id/export. RUN steps run in a builder-private container engine
// (its own data and exec directories, the shared OverlaySnapshotter under <dataRoot>/build, the
// agent's networks) so build containers never show up in `ps` and any left by a crash are removed
// when the agent next builds.
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { FlotillaError, toFlotillaError } from '../../../shared/errors/index.js';
import type { AgentComponents } from '../../components.js';
import { BuildService, ContainerStepRunner } from '../../image/build/index.js';
import type { BuildState, ContainerFs } from '../../image/build/index.js';
import { OverlaySnapshotter } from '../../image/snapshot/index.js';
import type { NetworkAttacher } from '../../network/index.js';
import { RuncContainerEngine, type ImageSource, type RuntimeImage } from '../../runtime/index.js';
import type { RoutePlugin } from '../server.js';
import { requestedVersion } from '../docker/index.js';
import { buildQuery } from './build-query.js';
import { queryBool } from '../query-bool.js';
import { isSet, refuse } from '../docker/index.js';
import { familiarName } from '../../image/index.js';

export function buildRoutes(c: AgentComponents): RoutePlugin {
  return (app: FastifyInstance) => {
    const parts = c.imageWiring;
    if (!parts) return;
    const imageRoot = join(c.config.dataRoot, 'image');
    const temp = new Map<string, BuildState>();
    const images: ImageSource = {
      async resolve(ref): Promise<RuntimeImage> {
        const s = temp.get(ref);
        if (!s) throw new FlotillaError('IMAGE_NOT_LOCAL', { name: ref });
        return {
          imageId: ref,
          ref,
          config: (s.config.config ?? {}) as RuntimeImage['config'],
          chainIds: s.layers.map((l) => l.chainId),
        };
      },
    };
    const buildRoot = join(c.config.dataRoot, 'build');
    const engine = new RuncContainerEngine({
      dataRoot: buildRoot,
      execRoot: join(c.config.execRoot, 'build'),
      log: c.log.child({ component: 'build' }),
      images,
      // Snapshots under <dataRoot>/build/snapshots, apart from the agent's containers' own.
      snapshotter: new OverlaySnapshotter(buildRoot, parts.layers),
      network: buildNetwork(c.attacher),
    });
    let opened: Promise<void> | undefined;
    const ready = () =>
      (opened ??= (async () => {
        await engine.open();
        for (const s of await engine.list({ all: true }))
          await engine.remove(s.id, { force: true, volumes: true }).catch(() => undefined);
      })());
    const runner = new ContainerStepRunner({
      engine: {
        create: async (o) => (await ready(), engine.create(o)),
        start: (id) => engine.start(id),
        attach: (id, s) => engine.attach(id, s),
        wait: (id, sig) => engine.wait(id, sig),
        remove: (id, o) => engine.remove(id, o),
        kill: (id, sig) => engine.kill(id, sig),
      },
      images: {
        register: (ref, s) => temp.set(ref, s),
        unregister: (ref) => temp.delete(ref),
      },
      upperDir: async (id) => upperDirOf(await engine.inspect(id), id),
    });
    const service = new BuildService({
      images: c.images,
      content: parts.content,
      layers: parts.layers,
      root: imageRoot,
      log: c.log.child({ component: 'build' }),
      runner,
      containers: containerFs(c),
    });
    app.addHook('onClose', async () => {
      if (opened) await engine.close().catch(() => undefined);
    });

    app.post('/build', async (request, reply) => {
      const q = request.query as Record<string, string | string[] | undefined>;
      const { quiet, ...parsed } = buildQuery(q);
      const body = request.body as Readable | undefined;
      if (!body || typeof (body as Readable).pipe !== 'function')
        throw new FlotillaError('BUILD_CONTEXT_INVALID', {
          path: '-',
          reason: 'send the context as an application/x-tar body',
        });
      const out = new PassThrough();
      const ac = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) ac.abort(new Error('client went away'));
      });
      const line = (doc: unknown) => out.write(`${JSON.stringify(doc)}\n`);
      service
        .build(body, {
          ...parsed,
          network: networkMode(q.networkmode),
          onStream: (text) => (quiet ? undefined : line({ stream: text })),
          signal: ac.signal,
        })
        .then(
          (res) => {
            // Docker's image events of a build: one `tag` per name it was given.
            for (const t of res.tags)
              c.events.object({
                type: 'image',
                action: 'tag',
                id: res.imageId,
                attributes: { name: familiarName(t) },
              });
            if (quiet) line({ stream: `${res.imageId}\n` });
            line({ aux: { ID: res.imageId } });
            out.end();
          },
          (err: unknown) => {
            body.resume();
            const fe = toFlotillaError(err);
            // The docker CLI decodes `error` as a string and `errorDetail` as {message}.
            line(
              requestedVersion(request.originalUrl)
                ? { errorDetail: { message: fe.message }, error: fe.message }
                : { error: fe.toJSON() },
            );
            out.end();
          },
        );
      return reply.type('application/x-ndjson').send(out);
    });

    app.post('/commit', async (request) => {
      const q = request.query as Record<string, string | string[] | undefined>;
      const one = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : undefined);
      const container = one('container');
      if (!container)
        throw new FlotillaError('INVALID_ARGUMENT', { detail: 'container is required' });
      const changes = ([] as string[])
        .concat(q.changes ?? [])
        .flatMap((s) => s.split('\n'))
        .filter((s) => s.trim() !== '');
      // Docker's body is a container Config merged into the image's; only `changes` are served.
      if (isSet(request.body))
        refuse('the commit body (a container Config)', 'is not supported; use changes');
      const before = (await c.containers.inspect(container)) as unknown as CommitSubject;
      // Docker pauses a running container for the commit unless ?pause=0 (`commit -p=false`).
      const pause = before.State?.Running === true && !before.State.Paused && !isFalse(q.pause);
      if (pause) await c.containers.pause(before.Id);
      let id: string;
      try {
        id = await service.commit({
          container: before.Id,
          repo: one('repo') || undefined,
          tag: one('tag') || undefined,
          comment: one('comment') || undefined,
          author: one('author') || undefined,
          changes,
        });
      } finally {
        if (pause) await c.containers.unpause(before.Id);
      }
      const repo = one('repo');
      const imageRef = repo ? familiarName(`${repo}:${one('tag') || 'latest'}`) : '';
      c.events.container({
        type: 'container',
        action: 'commit',
        id: before.Id,
        name: before.Name.replace(/^\//, ''),
        time: new Date().toISOString(),
        attributes: {
          ...(before.Config?.Labels ?? {}),
          comment: one('comment') ?? '',
          image: before.Config?.Image ?? '',
          imageID: id,
          imageRef,
          name: before.Name.replace(/^\//, ''),
        },
      });
      return { Id: id };
    });

    app.get('/containers/:id/export', async (request, reply) => {
      const { id } = request.params as { id: string };
      const stream = await service.export(id);
      return reply.type('application/x-tar').send(stream);
    });
  };
}

/** What commit reads of the container's inspect document (Docker's ContainerJSON). */
interface CommitSubject {
  Id: string;
  Name: string;
  State?: { Running?: boolean; Paused?: boolean };
  Config?: { Image?: string; Labels?: Record<string, string> };
}

/** Docker's BoolValueOrDefault: absent or empty is the default. */
const isFalse = (v: unknown) => typeof v === 'string' && v !== '' && !queryBool(v);

/** Docker's `networkmode` query parameter: 'default' and 'bridge' are the bridge, or 'none'. */
function networkMode(v: unknown): 'bridge' | 'none' {
  if (v === undefined || v === '' || v === 'default' || v === 'bridge') return 'bridge';
  if (v === 'none') return 'none';
  throw new FlotillaError('INVALID_ARGUMENT', {
    detail: `build network must be "bridge" or "none", not ${JSON.stringify(v)}`,
  });
}

/**
 * The agent's networks for build containers. The agent's own engine reconciles the network
 * component against its containers at start; the build engine must not, or its (empty) set of
 * live containers would tear down every other container's network.
 */
function buildNetwork(network: NetworkAttacher): NetworkAttacher {
  return {
    attach: (req) => network.attach(req),
    detach: (id) => network.detach(id),
    reconcile: async () => undefined,
  };
}

/** A container's overlay upper directory, from Docker's GraphDriver field of inspect. */
function upperDirOf(inspect: Record<string, unknown>, idOrName: string): string {
  const upperDir = (inspect as { GraphDriver?: { Data?: { UpperDir?: string } } }).GraphDriver?.Data
    ?.UpperDir;
  if (!upperDir)
    throw new FlotillaError('COMMIT_UNSUPPORTED', {
      action: 'read',
      id: idOrName,
      reason:
        "the runtime does not report the container's upper directory (GraphDriver.Data.UpperDir)",
    });
  return upperDir;
}

/** Reads what commit/export need from the agent's container engine's inspect document. */
function containerFs(c: AgentComponents): ContainerFs {
  return {
    async describe(idOrName) {
      const doc = (await c.containers.inspect(idOrName)) as {
        Id: string;
        Image: string;
        Config?: Record<string, unknown>;
      };
      const upperDir = upperDirOf(doc, idOrName);
      return { id: doc.Id, imageId: doc.Image, upperDir, config: doc.Config ?? {} };
    },
  };
}
