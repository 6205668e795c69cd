// One HTTP exchange over node:http/https, streaming both ways. Deliberately not fetch: bodies are
// never Content-Encoding-decoded (blob digests cover the raw bytes), redirects are ours to follow,
// and stalled sockets time out.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  signal?: AbortSignal;
  /** Skip TLS certificate verification (insecure registries only). */
  insecureTls?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  url: URL;
}

export class HttpTransport {
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 16 });
  private readonly insecureHttpsAgent = new HttpsAgent({
    keepAlive: true,
    maxSockets: 16,
    rejectUnauthorized: false,
  });

  /** @param idleTimeoutMs a socket silent for this long fails the request with ETIMEDOUT. */
  constructor(private readonly idleTimeoutMs = 60_000) {}

  send(req: HttpRequest): Promise<HttpResponse> {
    const https = req.url.protocol === 'https:';
    const agent = https
      ? req.insecureTls
        ? this.insecureHttpsAgent
        : this.httpsAgent
      : this.httpAgent;
    const headers: Record<string, string> = { ...req.headers };
    if (Buffer.isBuffer(req.body)) headers['content-length'] = String(req.body.length);
    else if (!req.body && !['GET', 'HEAD'].includes(req.method)) headers['content-length'] = '0';
    return new Promise<HttpResponse>((resolve, reject) => {
      const request = (https ? httpsRequest : httpRequest)(req.url, {
        method: req.method,
        headers,
        agent,
        signal: req.signal,
      });
      request.setTimeout(this.idleTimeoutMs, () => {
        const err = Object.assign(new Error(`no data for ${this.idleTimeoutMs} ms`), {
          code: 'ETIMEDOUT',
        });
        request.destroy(err);
      });
      request.once('error', reject);
      request.once('response', (res) => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url: req.url });
      });
      if (req.body instanceof Readable) {
        req.body.once('error', (err) => request.destroy(err));
        req.body.pipe(request);
      } else {
        request.end(req.body);
      }
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.insecureHttpsAgent.destroy();
  }
}

/**
 * Reads a whole body, failing with `tooLarge()` as soon as it would exceed `limitBytes`
 * (checked against Content-Length first, so an oversized body is not even started).
 */
export async function readBody(
  res: HttpResponse,
  limitBytes: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    res.body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += (chunk as Buffer).length;
    if (total > limitBytes) {
      res.body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads at most `limitBytes` of a body we only need for diagnostics, then releases it. */
export async function readSmallBody(res: HttpResponse, limitBytes = 64 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (total >= limitBytes) break;
    }
  } catch {
    // A broken error body is not worth an error of its own.
  }
  res.body.destroy();
  return Buffer.concat(chunks).subarray(0, limitBytes);
}

/**
 * Releases a response whose body we do not need. A finished or small body is drained so the
 * keep-alive socket returns to the pool (an unconsumed response holds its socket forever); a large
 * one is cut, which costs a connection but no transfer.
 */
export function discard(res: HttpResponse): void {
  const body = res.body;
  if (body.destroyed) return;
  const length = Number(res.headers['content-length']);
  if (body.complete || (Number.isFinite(length) && length <= 64 * 1024)) body.resume();
  else body.destroy();
}
