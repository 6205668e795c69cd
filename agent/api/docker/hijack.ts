// Docker's hijacked connections: POST /vX/containers/{id}/attach and POST /vX/exec/{id}/start with
// `Upgrade: tcp` answer `101 UPGRADED` and carry the process's stdio, framed (8-byte headers)
// unless it has a tty. Exec create/inspect and detached starts are plain routes.
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { FlotillaError, toFlotillaError } from '../../../shared/errors/index.js';
import type { AttachStreams, ContainerRuntime } from '../../runtime/index.js';
import { frame } from '../stream-frame.js';
import { dockerStatus } from './errors.js';
import { defaultDetachKeys, DetachKeysFilter, detachKeyBytes } from './detach-keys.js';
import { ExecStore } from './exec-store.js';
import { queryBool } from '../query-bool.js';

type Q = Record<string, string | undefined>;
type Doc = Record<string, unknown>;

const upgradePath = /^\/v\d+\.\d+\/(?:containers\/([^/]+)\/attach|exec\/([^/]+)\/start)$/;
const yes = queryBool;

interface RunningState {
  Running: boolean;
  Paused: boolean;
}

async function runningContainer(runtime: ContainerRuntime, id: string): Promise<string> {
  const info = (await runtime.inspect(id)) as { Id: string; State: RunningState };
  if (!info.State.Running) throw new FlotillaError('CONTAINER_NOT_RUNNING', { id });
  if (info.State.Paused) throw new FlotillaError('CONTAINER_PAUSED', { id });
  return info.Id;
}

/** Reads a request body that arrived on an upgrade (node hands over the raw socket). */
function readBody(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<Doc> {
  const length = Number(req.headers['content-length'] ?? 0);
  if (!length) return Promise.resolve({});
  if (length > 1024 * 1024)
    return Promise.reject(
      new FlotillaError('INVALID_ARGUMENT', { detail: 'request body too large' }),
    );
  return new Promise((resolve, reject) => {
    let buf = head;
    const done = () => {
      socket.off('data', onData);
      if (buf.length > length) socket.unshift(buf.subarray(length));
      try {
        resolve(JSON.parse(buf.subarray(0, length).toString() || '{}') as Doc);
      } catch {
        reject(new FlotillaError('INVALID_ARGUMENT', { detail: 'request body is not JSON' }));
      }
    };
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= length) {
        socket.pause();
        done();
      }
    };
    if (buf.length >= length) return done();
    socket.on('data', onData);
  });
}

function refuseRaw(socket: Duplex, err: unknown): void {
  const fe = toFlotillaError(err);
  const body = JSON.stringify({ message: fe.message });
  socket.end(
    `HTTP/1.1 ${dockerStatus(fe.kind)} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function streamsFor(
  socket: Duplex,
  tty: boolean,
  want: { stdin: boolean; stdout: boolean; stderr: boolean },
): AttachStreams {
  const out = (stream: number, wanted: boolean) => (d: Buffer) => {
    if (wanted && !socket.destroyed) socket.write(tty ? d : frame(stream, d));
  };
  return {
    // Through a PassThrough: it holds what arrives before the runtime listens (the socket may
    // have been paused after reading the request body).
    stdin: want.stdin ? socket.pipe(new PassThrough()) : undefined,
    onStdout: out(1, want.stdout),
    onStderr: out(2, want.stderr),
  };
}

function upgrade(socket: Duplex, tty: boolean): void {
  const type = tty
    ? 'application/vnd.docker.raw-stream'
    : 'application/vnd.docker.multiplexed-stream';
  socket.write(
    `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${type}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`,
  );
}

export function dockerHijackRoutes(app: FastifyInstance, runtime: ContainerRuntime): void {
  const execs = new ExecStore();
  // Sessions never end on their own: at shutdown they are cut, as in routes/containers.ts.
  const hijacked = new Set<Duplex>();
  app.addHook('preClose', (done) => {
    for (const s of hijacked) s.destroy();
    done();
  });

  /**
   * Checks and starts an exec; resolves (after the 101 when a socket is given) with the promise of
   * its end, so a refusal still goes out as a plain HTTP error.
   */
  const startExec = async (id: string, tty: boolean | undefined, socket?: Duplex) => {
    const e = execs.get(id);
    if (e.started)
      throw new FlotillaError('INVALID_ARGUMENT', {
        detail: `exec ${id} has already been started`,
      });
    await runningContainer(runtime, e.containerId);
    e.started = true;
    e.running = true;
    const spec = { ...e.spec, tty: tty ?? e.spec.tty };
    const want = { stdin: e.attachStdin, stdout: e.attachStdout, stderr: e.attachStderr };
    const streams = socket
      ? streamsFor(socket, Boolean(spec.tty), want)
      : { onStdout: () => undefined, onStderr: () => undefined };
    if (socket) upgrade(socket, Boolean(spec.tty));
    const run = runtime.exec(e.containerId, spec, streams, e.id).then(
      (code) => {
        e.running = false;
        e.exitCode = code;
      },
      (err: unknown) => {
        e.running = false;
        e.exitCode = 126;
        throw err;
      },
    );
    return { done: run };
  };

  app.post('/docker/containers/:id/exec', async (req, reply) => {
    const b = (req.body ?? {}) as Doc;
    if (!Array.isArray(b.Cmd) || b.Cmd.length === 0)
      throw new FlotillaError('INVALID_ARGUMENT', { detail: 'Cmd is required' });
    const containerId = await runningContainer(runtime, (req.params as Q).id!);
    const size = b.ConsoleSize as [number, number] | undefined;
    const inst = execs.add(
      containerId,
      {
        cmd: b.Cmd as string[],
        env: (b.Env as string[] | undefined) ?? undefined,
        user: (b.User as string) || undefined,
        workingDir: (b.WorkingDir as string) || undefined,
        tty: Boolean(b.Tty),
        privileged: Boolean(b.Privileged),
        ...(size?.[0] && size[1] ? { rows: size[0], cols: size[1] } : {}),
      },
      {
        stdin: Boolean(b.AttachStdin),
        stdout: Boolean(b.AttachStdout),
        stderr: Boolean(b.AttachStderr),
      },
    );
    return reply.status(201).send({ Id: inst.id });
  });

  app.get('/docker/exec/:id/json', async (req) => execs.inspect((req.params as Q).id!));

  // Without Upgrade (Detach: true): the process runs on; the answer comes at once.
  app.post('/docker/exec/:id/start', async (req, reply) => {
    const b = (req.body ?? {}) as Doc;
    if (!b.Detach)
      throw new FlotillaError('INVALID_ARGUMENT', {
        detail: 'exec start without Detach needs Connection: Upgrade',
      });
    const { done } = await startExec((req.params as Q).id!, b.Tty as boolean | undefined);
    done.catch((err: unknown) => req.log.debug({ err }, 'detached exec failed'));
    return reply.status(200).send();
  });

  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://agent');
    const m = upgradePath.exec(url.pathname);
    if (!m) return;
    socket.on('error', () => undefined);
    hijacked.add(socket);
    socket.once('close', () => hijacked.delete(socket));
    void (async () => {
      let upgraded = false;
      try {
        if (m[1]) {
          const id = decodeURIComponent(m[1]);
          const info = (await runtime.inspect(id)) as { Config: { Tty: boolean } };
          const q = url.searchParams;
          // Replaying the log before the live stream is not served: refused, never ignored.
          if (yes(q.get('logs')))
            throw new FlotillaError('INVALID_ARGUMENT', {
              detail:
                'attach with logs=1 is not supported: read the log with GET /containers/{id}/logs',
            });
          const tty = Boolean(info.Config.Tty);
          const keys = detachKeyBytes(q.get('detachKeys') || defaultDetachKeys);
          const streams = streamsFor(socket, tty, {
            stdin: yes(q.get('stdin')),
            stdout: yes(q.get('stdout')),
            stderr: yes(q.get('stderr')),
          });
          // The detach keys end the client's session, never the container (as dockerd).
          let detach = () => undefined as void;
          const input = streams.stdin as PassThrough | undefined;
          const filter = new DetachKeysFilter(keys, () => detach());
          if (input) streams.stdin = input.pipe(filter);
          if (head.length) socket.unshift(head);
          // Answer first: the client starts the container only once the attach is in place.
          upgrade(socket, tty);
          upgraded = true;
          const session = await runtime.attach(id, streams);
          detach = () => {
            // Unpiped first: the socket's end must not close the container's stdin.
            input?.unpipe(filter);
            session.close();
            socket.end();
          };
          socket.on('close', () => session.close());
          await session.done;
          socket.end();
        } else {
          const body = await readBody(req, socket, head);
          const id = decodeURIComponent(m[2]!);
          const { done } = await startExec(id, body.Tty as boolean | undefined, socket);
          upgraded = true;
          await done;
          socket.end();
        }
      } catch (err) {
        if (!upgraded) refuseRaw(socket, err);
        else socket.end(frame(3, Buffer.from(toFlotillaError(err).message)));
      }
    })();
  });
}
