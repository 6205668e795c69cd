// HTTPS client for the manager API with the context's client certificate. JSON in and out, or a
// raw stream (service logs); errors come back as FlotillaError with the manager's code. Every call
// tries the context's managers in order and moves on only while a manager is unreachable.
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { FlotillaError, type ErrorBody } from '../../shared/errors/index.js';
import { splitHostPort } from '../../shared/net/host-port.js';
import { ContextStore, type ClusterContext } from '../contexts/index.js';
import { requestPath, type Query } from './request-path.js';
import type { CliContext } from '../context.js';

export interface ManagerRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Query;
  body?: unknown;
}

/** A JSON call waits this long for a silent manager; a stream (logs -f) may stay quiet for ever. */
const jsonTimeoutMs = 15_000;
/** A manager that does not accept the connection within this long is taken for unreachable. */
const connectTimeoutMs = 3_000;
/** The response header naming the live managers' API addresses (manager/api/managers-header.ts). */
const managersHeader = 'flotilla-managers';

export class ManagerClient {
  private readonly tls: { ca: Buffer; cert: Buffer; key: Buffer };

  constructor(
    readonly context: ClusterContext,
    /** Told the managers an answer names (header flotilla-managers): the context learns them. */
    private readonly onManagers?: (apiAddrs: string[]) => void,
  ) {
    this.tls = {
      ca: readFileSync(context.tls.caFile),
      cert: readFileSync(context.tls.certFile),
      key: readFileSync(context.tls.keyFile),
    };
  }

  /** Sends a request and parses the JSON answer; a non-2xx answer throws the manager's error. */
  json<T = unknown>(req: ManagerRequest): Promise<T> {
    return this.withFailover(async (addr) => {
      const res = await this.open(addr, req, jsonTimeoutMs);
      const text = await readAll(res, addr);
      const status = res.statusCode ?? 500;
      if (status >= 300) throw errorFrom(status, text);
      return (text.length === 0 ? undefined : parseJson(status, text)) as T;
    });
  }

  /** Sends a request and returns the response stream once its status is known to be 2xx. */
  stream(req: ManagerRequest): Promise<IncomingMessage> {
    return this.withFailover(async (addr) => {
      const res = await this.open(addr, req);
      const status = res.statusCode ?? 500;
      if (status >= 300) throw errorFrom(status, await readAll(res, addr));
      return res;
    });
  }

  private async withFailover<T>(call: (addr: string) => Promise<T>): Promise<T> {
    let last: unknown;
    for (const addr of this.context.managers) {
      try {
        return await call(addr);
      } catch (err) {
        // Only an unreachable manager makes us try the next one; an answer is an answer.
        if (err instanceof FlotillaError && err.code === 'MANAGER_UNREACHABLE') last = err;
        else throw err;
      }
    }
    throw (
      last ??
      new FlotillaError('MANAGER_UNREACHABLE', {
        address: '(none)',
        reason: 'no managers in context',
      })
    );
  }

  /** Resolves with the response once its headers arrive, whatever its status. */
  private open(addr: string, req: ManagerRequest, timeoutMs?: number): Promise<IncomingMessage> {
    const [host, port] = splitHostPort(addr);
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    return new Promise((resolve, reject) => {
      const r = request(
        {
          host,
          port,
          method: req.method ?? 'GET',
          path: requestPath(req.path, req.query),
          ...this.tls,
          headers: payload
            ? { 'content-type': 'application/json', 'content-length': String(payload.length) }
            : {},
          ...(timeoutMs ? { timeout: timeoutMs } : {}),
        },
        (res) => {
          const named = res.headers[managersHeader];
          if (typeof named === 'string' && this.onManagers)
            this.onManagers(named.split(',').filter(Boolean));
          resolve(res);
        },
      );
      r.on('timeout', () => r.destroy(new Error('timed out')));
      // A machine that is gone never refuses the connection: give up on it soon and try the next.
      r.on('socket', (socket) => {
        if (!socket.connecting) return;
        const t = setTimeout(() => r.destroy(new Error('connect timed out')), connectTimeoutMs);
        socket.once('connect', () => clearTimeout(t));
        socket.once('close', () => clearTimeout(t));
      });
      r.on('error', (err: NodeJS.ErrnoException) => reject(unreachable(addr, err)));
      r.end(payload);
    });
  }
}

function unreachable(addr: string, err: NodeJS.ErrnoException): FlotillaError {
  return new FlotillaError(
    'MANAGER_UNREACHABLE',
    { address: addr, reason: err.code ?? err.message },
    { cause: err },
  );
}

async function readAll(res: IncomingMessage, addr: string): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res) chunks.push(chunk as Buffer);
  } catch (err) {
    throw unreachable(addr, err as NodeJS.ErrnoException);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(status: number, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new FlotillaError('INTERNAL', {
      detail: `manager answered ${status}: ${text.slice(0, 200)}`,
    });
  }
}

/** The manager's error body as a FlotillaError; a body that is not one says what came back. */
function errorFrom(status: number, text: string): FlotillaError {
  const body = parseJson(status, text) as Partial<ErrorBody> | null;
  if (!body || typeof body !== 'object' || typeof body.code !== 'string')
    return new FlotillaError('INTERNAL', {
      detail: `manager answered ${status}: ${text.slice(0, 200)}`,
    });
  return FlotillaError.fromJSON(body as ErrorBody);
}

/** The manager client for the CLI's selected context (--context, FLOTILLA_CONTEXT, current). */
export function managerClient(ctx: CliContext): ManagerClient {
  const store = new ContextStore();
  const context = store.resolve(ctx.contextName);
  return new ManagerClient(context, (addrs) => {
    try {
      store.learnManagers(context.name, addrs);
    } catch {
      // A read-only config directory: the context keeps the managers it had.
    }
  });
}
