// Turns registry responses into FlotillaErrors that name the image and the registry. The body's
// distribution error codes refine the HTTP status (MANIFEST_UNKNOWN vs NAME_UNKNOWN vs DENIED).
import { FlotillaError } from '../../../shared/errors/index.js';
import { readSmallBody, type HttpResponse } from './transport.js';

/** Who and what a request was about, for error messages. */
export interface RequestContext {
  /** The image in its familiar form (ubuntu:latest), or the registry for registry-wide calls. */
  ref: string;
  registry: string;
  /** 'pull manifest', 'pull blob', 'push blob', 'push manifest', 'search', 'login'. */
  operation: string;
  digest?: string;
}

interface RegistryErrorBody {
  errors?: Array<{ code?: string; message?: string; detail?: unknown }>;
}

function describe(status: number, body: Buffer): { codes: string[]; detail: string } {
  let parsed: RegistryErrorBody | undefined;
  try {
    parsed = JSON.parse(body.toString('utf8')) as RegistryErrorBody;
  } catch {
    parsed = undefined;
  }
  const errors = Array.isArray(parsed?.errors) ? parsed.errors : [];
  const codes = errors.map((e) => String(e.code ?? ''));
  const text = errors
    .map((e) => [e.code, e.message].filter(Boolean).join(': '))
    .filter(Boolean)
    .join('; ');
  const fallback = body.toString('utf8').trim().slice(0, 200);
  return { codes, detail: text || fallback || `HTTP ${status}` };
}

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Reads the error body of `res` and maps it to the error a user should see. */
export async function responseError(
  res: HttpResponse,
  ctx: RequestContext,
): Promise<FlotillaError> {
  const body =
    res.status === 405 || res.status === 416 ? Buffer.alloc(0) : await readSmallBody(res);
  if (body.length === 0) res.body.destroy();
  return errorFor(res, body, ctx);
}

export function errorFor(res: HttpResponse, body: Buffer, ctx: RequestContext): FlotillaError {
  const { codes, detail } = describe(res.status, body);
  const base = { ref: ctx.ref, registry: ctx.registry };
  const status = res.status;
  if (status === 401 || codes.includes('UNAUTHORIZED'))
    return new FlotillaError('REGISTRY_UNAUTHORIZED', { ...base, detail });
  if (status === 403 || codes.includes('DENIED'))
    return new FlotillaError('REGISTRY_DENIED', {
      ...base,
      detail,
      action: ctx.operation.startsWith('push') ? 'push to' : 'pull from',
    });
  if (status === 404) {
    if (ctx.operation === 'pull blob' || codes.includes('BLOB_UNKNOWN'))
      return new FlotillaError('BLOB_NOT_FOUND', { ...base, digest: ctx.digest ?? '?' });
    if (codes.length === 0 || codes.includes('MANIFEST_UNKNOWN') || codes.includes('NAME_UNKNOWN'))
      return new FlotillaError('IMAGE_NOT_FOUND', base);
  }
  if (status === 429 || codes.includes('TOOMANYREQUESTS')) {
    const limits = [
      ['limit', header(res, 'ratelimit-limit')],
      ['remaining', header(res, 'ratelimit-remaining')],
      ['source', header(res, 'docker-ratelimit-source')],
      ['retry after (s)', header(res, 'retry-after')],
    ]
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    return new FlotillaError('REGISTRY_RATE_LIMITED', {
      ...base,
      detail: limits ? `${detail} (${limits})` : detail,
      limit: header(res, 'ratelimit-limit'),
      remaining: header(res, 'ratelimit-remaining'),
    });
  }
  if (status >= 500)
    return new FlotillaError('REGISTRY_UNAVAILABLE', {
      ...base,
      detail: `HTTP ${status}: ${detail}`,
    });
  return new FlotillaError('REGISTRY_REQUEST_FAILED', {
    ...base,
    operation: ctx.operation,
    detail: `HTTP ${status}: ${detail}`,
  });
}
