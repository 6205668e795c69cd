// Container routes of the local engine API, shaped after Docker's: JSON for lifecycle and queries,
// newline-delimited JSON for stats (events: routes/events.ts), Docker's 8-byte stream framing for logs, and
// hijacked connections (Connection: Upgrade) for attach and exec, bridged to the container's stdio.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FlotillaError, httpStatusByKind, toFlotillaError } from '../../../shared/errors/index.js';
import type { ContainerCreateOptions, ContainerRuntime, ExecOptions } from '../../runtime/index.js';
import type { ImageService } from '../../image/index.js';
import type { RoutePlugin } from '../server.js';
import { containerQuery, inspectContainer, listContainers } from '../queries/containers.js';
import { frame } from '../stream-frame.js';
import { requestedVersion, updateFromDockerBody } from '../docker/index.js';
import { queryBool, queryBoolOr } from '../query-bool.js';

export { frame } from '../stream-frame.js';

const truthy = queryBool;

type Q = Record<string, string | undefined>;

/** Go's url.QueryEscape: unreserved characters stay, a space is `+`, the rest %XX. */
function queryEscape(v: string): string {
  return encodeURIComponent(v)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `logs --details`: the entry's extra attributes as Docker prints them, `k=v,k2=v2` by key. */
export function logDetails(attrs: Record<string, string> = {}): string {
  return Object.keys(attrs)
    .sort()
    .map((k) => `${queryEscape(k)}=${queryEscape(attrs[k])}`)
    .join(',');
}

function streamHead(reply: FastifyReply, contentType: string): void {
  reply.hijack();
  reply.raw.writeHead(200, { 'content-type': contentType, 'transfer-encoding': 'chunked' });
}

export function containerRoutes(runtime: ContainerRuntime, images: ImageService): RoutePlugin {
  return (app: FastifyInstance) => {
    app.post('/containers/create', async (req) => {
      const body = req.body as ContainerCreateOptions;
      // Overlay addresses are the manager's to give (tasks, through the executor), never a caller's.
      if (body?.overlays !== undefined || body?.clusterAttachmentId !== undefined)
        throw new FlotillaError('INVALID_NETWORK_MODE', {
          mode: 'overlays',
          reason: 'cluster network attachments are made by the manager, not through this API',
        });
      const r = await runtime.create(body);
      return { Id: r.id, Warnings: r.warnings };
    });
    // The listing Docker's route answers too (queries/containers.ts); `label=k=v,k2` is this
    // route's older form of the label filter.
    app.get('/containers/json', async (req) => {
      const q = req.query as Q;
      const query = containerQuery(q);
      if (q.label)
        query.filters.set('label', [...(query.filters.get('label') ?? []), ...q.label.split(',')]);
      return listContainers(runtime, images, query);
    });
    app.get('/containers/:id/json', async (req) =>
      inspectContainer(runtime, images, (req.params as Q).id!, truthy((req.query as Q).size)),
    );
    app.post('/containers/:id/start', async (req, reply) => {
      await runtime.start((req.params as Q).id!);
      return reply.status(204).send();
    });
    app.post('/containers/:id/stop', async (req, reply) => {
      const q = req.query as Q;
      await runtime.stop((req.params as Q).id!, {
        timeoutSec: q.t !== undefined ? Number(q.t) : undefined,
        signal: q.signal,
      });
      return reply.status(204).send();
    });
    app.post('/containers/:id/restart', async (req, reply) => {
      const q = req.query as Q;
      await runtime.restart((req.params as Q).id!, {
        timeoutSec: q.t !== undefined ? Number(q.t) : undefined,
      });
      return reply.status(204).send();
    });
    app.post('/containers/:id/kill', async (req, reply) => {
      await runtime.kill((req.params as Q).id!, (req.query as Q).signal || 'KILL');
      return reply.status(204).send();
    });
    for (const verb of ['pause', 'unpause'] as const)
      app.post(`/containers/:id/${verb}`, async (req, reply) => {
        await runtime[verb]((req.params as Q).id!);
        return reply.status(204).send();
      });
    app.post('/containers/:id/rename', async (req, reply) => {
      await runtime.rename((req.params as Q).id!, (req.query as Q).name ?? '');
      return reply.status(204).send();
    });
    // Docker's body: the docker CLI, docker-py and `flotilla update` send the same document.
    app.post('/containers/:id/update', async (req) => {
      const r = await runtime.update((req.params as Q).id!, updateFromDockerBody(req.body));
      return { Warnings: r.warnings };
    });
    app.post('/containers/:id/resize', async (req, reply) => {
      const q = req.query as Q;
      await runtime.resize((req.params as Q).id!, Number(q.h), Number(q.w));
      return reply.status(204).send();
    });
    // Docker's route: the exec id comes from the 101 answer of the exec (X-Flotilla-Exec-Id).
    app.post('/exec/:id/resize', async (req, reply) => {
      const q = req.query as Q;
      const rows = Number(q.h);
      const cols = Number(q.w);
      if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1)
        throw new FlotillaError('INVALID_ARGUMENT', {
          detail: `window size h=${q.h ?? ''} w=${q.w ?? ''} must be positive integers`,
        });
      await runtime.resizeExec((req.params as Q).id!, rows, cols);
      return reply.status(204).send();
    });
    app.delete('/containers/:id', async (req, reply) => {
      const q = req.query as Q;
      await runtime.remove((req.params as Q).id!, { force: truthy(q.force), volumes: truthy(q.v) });
      return reply.status(204).send();
    });
    app.post('/containers/:id/wait', async (req) => {
      const ac = new AbortController();
      req.raw.on('close', () => ac.abort());
      const cond = ((req.query as Q).condition ?? 'not-running') as
        'not-running' | 'next-exit' | 'removed';
      return { StatusCode: await runtime.waitFor((req.params as Q).id!, cond, ac.signal) };
    });
    app.post('/containers/prune', async () => runtime.prune());
    app.get('/containers/:id/top', async (req) =>
      runtime.top((req.params as Q).id!, (req.query as Q).ps_args),
    );
    app.get('/containers/:id/logs', async (req, reply) => {
      const q = req.query as Q;
      const ac = new AbortController();
      const entries = runtime.logs((req.params as Q).id!, {
        follow: truthy(q.follow),
        tail: q.tail && q.tail !== 'all' ? Number(q.tail) : undefined,
        since: q.since ? Number(q.since) : undefined,
        until: q.until ? Number(q.until) : undefined,
        stdout: q.stdout === undefined ? true : truthy(q.stdout),
        stderr: q.stderr === undefined ? true : truthy(q.stderr),
        signal: ac.signal,
      });
      // Docker clients read a tty container's logs raw (they check Config.Tty); Flotilla's CLI
      // always reads frames.
      const raw =
        requestedVersion(req.originalUrl) !== undefined &&
        ((await runtime.inspect((req.params as Q).id!)) as { Config?: { Tty?: boolean } }).Config
          ?.Tty === true;
      streamHead(
        reply,
        raw ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream',
      );
      reply.raw.on('close', () => ac.abort());
      const ts = truthy(q.timestamps);
      const details = truthy(q.details);
      for await (const e of entries) {
        // Docker's order: the timestamp, then the attributes, then the line.
        const prefix = `${ts ? `${e.time} ` : ''}${details ? `${logDetails(e.attrs)} ` : ''}`;
        const data = prefix ? Buffer.concat([Buffer.from(prefix), e.data]) : e.data;
        if (!reply.raw.write(raw ? data : frame(e.stream === 'stdout' ? 1 : 2, data)))
          await new Promise((r) => reply.raw.once('drain', r));
      }
      reply.raw.end();
    });
    app.get('/containers/:id/stats', async (req, reply) => {
      const id = (req.params as Q).id!;
      const stream = queryBoolOr((req.query as Q).stream, true);
      await runtime.stats(id);
      if (!stream) {
        await new Promise((r) => setTimeout(r, 500));
        return runtime.stats(id);
      }
      streamHead(reply, 'application/x-ndjson');
      let open = true;
      reply.raw.on('close', () => (open = false));
      while (open) {
        await new Promise((r) => setTimeout(r, 1000));
        const s = await runtime.stats(id).catch(() => undefined);
        if (!s || !open) break;
        reply.raw.write(`${JSON.stringify(s)}\n`);
      }
      reply.raw.end();
    });

    // Attach/exec sessions and long polls (wait, events, logs -f) never end on their own: at
    // shutdown they are cut, as Docker's daemon does, or the server's close would wait forever.
    // The containers keep running under conmon.
    const hijacked = new Set<Duplex>();
    app.addHook('preClose', (done) => {
      for (const s of hijacked) s.destroy();
      app.server.closeAllConnections();
      done();
    });

    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://agent');
      const m = /^\/containers\/([^/]+)\/(attach|exec)$/.exec(url.pathname);
      if (!m) return;
      hijacked.add(socket);
      socket.once('close', () => hijacked.delete(socket));
      if (head.length) socket.unshift(head);
      void hijack(
        runtime,
        decodeURIComponent(m[1]),
        m[2] as 'attach' | 'exec',
        url.searchParams,
        socket,
      );
    });
  };
}

function refuse(socket: Duplex, err: unknown): void {
  const fe = toFlotillaError(err);
  const body = JSON.stringify(fe.toJSON());
  socket.end(
    `HTTP/1.1 ${httpStatusByKind[fe.kind]} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

async function hijack(
  runtime: ContainerRuntime,
  id: string,
  kind: 'attach' | 'exec',
  q: URLSearchParams,
  socket: Duplex,
): Promise<void> {
  socket.on('error', () => undefined);
  const withStdin = queryBool(q.get('stdin'));
  const out = (stream: number) => (d: Buffer) => {
    if (!socket.destroyed) socket.write(frame(stream, d));
  };
  const streams = { stdin: withStdin ? socket : undefined, onStdout: out(1), onStderr: out(2) };
  let upgraded = false;
  const upgrade = (extraHeaders = '') => {
    if (upgraded) return;
    upgraded = true;
    socket.write(
      `HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${extraHeaders}\r\n`,
    );
  };
  try {
    if (kind === 'attach') {
      // Answer first: the client starts the container only once the attach is in place.
      await runtime.inspect(id);
      upgrade();
      const session = await runtime.attach(id, streams);
      socket.on('close', () => session.close());
      await session.done;
      socket.end();
    } else {
      const spec = JSON.parse(
        Buffer.from(q.get('spec') ?? '', 'base64url').toString() || '{}',
      ) as ExecOptions;
      const info = (await runtime.inspect(id)) as { State: { Running: boolean; Paused: boolean } };
      if (!info.State.Running) throw new FlotillaError('CONTAINER_NOT_RUNNING', { id });
      if (info.State.Paused) throw new FlotillaError('CONTAINER_PAUSED', { id });
      const execId = randomBytes(16).toString('hex');
      upgrade(`X-Flotilla-Exec-Id: ${execId}\r\n`);
      const code = await runtime.exec(id, spec, streams, execId);
      socket.end(frame(4, Buffer.from(String(code))));
    }
  } catch (err) {
    if (!upgraded) refuse(socket, err);
    else {
      // After the upgrade an error travels as stream 3 (Docker's systemerr), then the socket closes.
      socket.end(frame(3, Buffer.from(JSON.stringify(toFlotillaError(err).toJSON()))));
    }
  }
}
