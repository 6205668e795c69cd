// HTTPS client for the manager API with the context's client certificate. JSON in and out; errors
// come back as FlotillaError with the manager's code. Tries the context's managers in order.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { FlotillaError, type ErrorBody } from '../../shared/errors/index.js';
import { ContextStore, type ClusterContext } from '../contexts/index.js';
import type { CliContext } from '../context.js';

export interface ManagerRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
}

export class ManagerClient {
  private readonly tls: { ca: Buffer; cert: Buffer; key: Buffer };

  constructor(readonly context: ClusterContext) {
    this.tls = {
      ca: readFileSync(context.tls.caFile),
      cert: readFileSync(context.tls.certFile),
      key: readFileSync(context.tls.keyFile),
    };
  }

  async json<T = unknown>(req: ManagerRequest): Promise<T> {
    let last: unknown;
    for (const addr of this.context.managers) {
      try {
        return await this.once<T>(addr, req);
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

  private once<T>(addr: string, req: ManagerRequest): Promise<T> {
    const i = addr.lastIndexOf(':');
    const qs = req.query
      ? Object.entries(req.query)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
          .join('&')
      : '';
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    return new Promise((resolve, reject) => {
      const r = request(
        {
          host: addr.slice(0, i),
          port: Number(addr.slice(i + 1)),
          method: req.method ?? 'GET',
          path: qs ? `${req.path}?${qs}` : req.path,
          ...this.tls,
          headers: payload
            ? { 'content-type': 'application/json', 'content-length': String(payload.length) }
            : {},
          timeout: 15_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 500;
            if (status === 204 || text.length === 0) {
              if (status < 300) return resolve(undefined as T);
            }
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              return reject(
                new FlotillaError('INTERNAL', {
                  detail: `manager answered ${status}: ${text.slice(0, 200)}`,
                }),
              );
            }
            if (status >= 300) reject(FlotillaError.fromJSON(parsed as ErrorBody));
            else resolve(parsed as T);
          });
        },
      );
      r.on('timeout', () => r.destroy(new Error('timed out')));
      r.on('error', (err: NodeJS.ErrnoException) =>
        reject(
          new FlotillaError(
            'MANAGER_UNREACHABLE',
            { address: addr, reason: err.code ?? err.message },
            { cause: err },
          ),
        ),
      );
      r.end(payload);
    });
  }
}

/** The manager client for the CLI's selected context (--context, FLOTILLA_CONTEXT, current). */
export function managerClient(ctx: CliContext): ManagerClient {
  return new ManagerClient(new ContextStore().resolve(ctx.contextName));
}
