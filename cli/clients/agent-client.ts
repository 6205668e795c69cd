// HTTP client for the agent's local engine API on a unix socket. JSON in and out; errors come back
// as FlotillaError with the agent's code; streams (pull progress, logs -f, attach) are returned raw.
import { request, type IncomingMessage } from 'node:http';
import { FlotillaError, type ErrorBody } from '../../shared/errors/index.js';
import { defaultAgentHost, socketPathFromHost } from '../../shared/config/index.js';
import { requestPath, type Query } from './request-path.js';

export interface AgentRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  path: string;
  query?: Query;
  body?: unknown;
  /** A raw request body (e.g. a tar for `load`); sent as application/octet-stream. */
  stream?: NodeJS.ReadableStream;
  headers?: Record<string, string>;
}

export class AgentClient {
  readonly socketPath: string;

  constructor(host: string = process.env.FLOTILLA_HOST || defaultAgentHost) {
    this.socketPath = socketPathFromHost(host);
  }

  /** Sends a request and parses the JSON answer; non-2xx answers throw the agent's error. */
  async json<T = unknown>(req: AgentRequest): Promise<T> {
    const res = await this.open(req);
    const text = await readAll(res);
    if (res.statusCode === 204 || text.length === 0) return undefined as T;
    return JSON.parse(text) as T;
  }

  /** Sends a request and returns the response stream once the status is known to be 2xx. */
  async open(req: AgentRequest): Promise<IncomingMessage> {
    const res = await this.raw(req);
    if ((res.statusCode ?? 500) >= 300) throw await errorFrom(res);
    return res;
  }

  /** Sends a request and returns the response whatever its status. */
  raw(req: AgentRequest): Promise<IncomingMessage> {
    const path = requestPath(req.path, req.query);
    const headers: Record<string, string> = { ...req.headers };
    let payload: Buffer | undefined;
    if (req.body !== undefined) {
      payload = Buffer.from(JSON.stringify(req.body));
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    } else if (req.stream) {
      headers['content-type'] = 'application/octet-stream';
    }
    return new Promise((resolve, reject) => {
      const r = request(
        { socketPath: this.socketPath, path, method: req.method ?? 'GET', headers },
        resolve,
      );
      r.on('error', (err: NodeJS.ErrnoException) => {
        reject(
          new FlotillaError(
            'AGENT_UNREACHABLE',
            { address: `unix://${this.socketPath}`, reason: err.code ?? err.message },
            { cause: err },
          ),
        );
      });
      if (payload) r.end(payload);
      else if (req.stream) req.stream.pipe(r);
      else r.end();
    });
  }
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function errorFrom(res: IncomingMessage): Promise<FlotillaError> {
  const text = await readAll(res);
  try {
    return FlotillaError.fromJSON(JSON.parse(text) as ErrorBody);
  } catch {
    return new FlotillaError('INTERNAL', {
      detail: `agent answered ${res.statusCode}: ${text.slice(0, 200)}`,
    });
  }
}
