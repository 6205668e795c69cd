// An HTTP proxy on 127.0.0.1 in front of a registry that misbehaves on request, to test the
// registry client's resume, verification and retry paths against the real server:
//
//   const proxy = await startFaultyProxy(registry.url);
//   proxy.cutBlobOnce(1000);          // next blob GET: send 1000 body bytes, then drop the connection
//   proxy.corruptBlobs(1);            // next blob GET: flip a byte (same length)
//   proxy.failNext(503, 2);           // next 2 requests: answer 503 (or 429 with retryAfterSeconds)
//   proxy.ignoreRangeOnce();          // next ranged blob GET: strip Range, so the registry sends 200
//   proxy.requests                    // every request seen: method, url, range header, status sent
//   await proxy.stop();
//
// Requests keep their Host header, so upload Locations the registry generates point at the proxy.
import { request, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  range?: string;
  /** What the proxy answered: the upstream status or the injected one. */
  status?: number;
  fault?: 'cut' | 'corrupt' | 'status';
}

export interface FaultyProxy {
  host: string;
  url: string;
  requests: SeenRequest[];
  /** The next blob GET sends `afterBytes` bytes of body, then the connection is destroyed. */
  cutBlobOnce(afterBytes: number): void;
  /** The next `times` blob GETs get one byte of the body flipped. @default times Infinity */
  corruptBlobs(times?: number): void;
  /** The next `times` requests (optionally only those whose path matches) get `status`. */
  failNext(
    status: number,
    times: number,
    opts?: { retryAfterSeconds?: number; match?: RegExp },
  ): void;
  /** The next blob GET with a Range header loses it: the registry answers 200 from byte 0. */
  ignoreRangeOnce(): void;
  /** Removes all pending faults. */
  reset(): void;
  stop(): Promise<void>;
}

const blobGet = (req: IncomingMessage) =>
  req.method === 'GET' && /\/blobs\/sha(256|384|512):/.test(req.url ?? '');

export async function startFaultyProxy(upstream: string): Promise<FaultyProxy> {
  const target = new URL(upstream);
  const requests: SeenRequest[] = [];
  let cutAfter: number | undefined;
  let corruptLeft = 0;
  let ignoreRange = false;
  let statusFaults:
    { status: number; left: number; retryAfterSeconds?: number; match?: RegExp } | undefined;
  const sockets = new Set<Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const seen: SeenRequest = { method: req.method ?? 'GET', url: req.url ?? '/' };
    if (req.headers.range) seen.range = String(req.headers.range);
    requests.push(seen);

    if (
      statusFaults &&
      statusFaults.left > 0 &&
      (!statusFaults.match || statusFaults.match.test(seen.url))
    ) {
      statusFaults.left--;
      seen.status = statusFaults.status;
      seen.fault = 'status';
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (statusFaults.retryAfterSeconds !== undefined)
        headers['retry-after'] = String(statusFaults.retryAfterSeconds);
      req.resume();
      res.writeHead(statusFaults.status, headers);
      res.end(
        JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'injected by faulty proxy' }] }),
      );
      return;
    }

    const cut = blobGet(req) && cutAfter !== undefined ? cutAfter : undefined;
    if (cut !== undefined) cutAfter = undefined;
    const corrupt = blobGet(req) && corruptLeft > 0;
    if (corrupt) corruptLeft--;

    const headers = { ...req.headers };
    if (ignoreRange && blobGet(req) && headers.range) {
      ignoreRange = false;
      delete headers.range;
    }
    const upstreamReq = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
      },
      (up) => {
        seen.status = up.statusCode;
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (cut === undefined && !corrupt) {
          up.pipe(res);
          return;
        }
        seen.fault = cut !== undefined ? 'cut' : 'corrupt';
        let sent = 0;
        let flipped = false;
        up.on('data', (chunk: Buffer) => {
          if (cut !== undefined) {
            const room = cut - sent;
            if (room <= 0) return;
            const part = chunk.subarray(0, room);
            sent += part.length;
            res.write(part);
            if (sent >= cut) {
              up.destroy();
              // Let the bytes leave before the connection dies mid-body.
              setTimeout(() => res.socket?.destroy(), 20);
            }
            return;
          }
          if (!flipped && chunk.length > 0) {
            chunk = Buffer.from(chunk);
            chunk[0] = chunk[0]! ^ 0xff;
            flipped = true;
          }
          res.write(chunk);
        });
        up.on('end', () => {
          if (cut === undefined) res.end();
        });
      },
    );
    upstreamReq.on('error', () => res.socket?.destroy());
    req.pipe(upstreamReq);
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const host = `127.0.0.1:${port}`;

  return {
    host,
    url: `http://${host}`,
    requests,
    cutBlobOnce(afterBytes) {
      cutAfter = afterBytes;
    },
    corruptBlobs(times = Infinity) {
      corruptLeft = times;
    },
    failNext(status, times, opts = {}) {
      statusFaults = { status, left: times, ...opts };
    },
    ignoreRangeOnce() {
      ignoreRange = true;
    },
    reset() {
      ignoreRange = false;
      cutAfter = undefined;
      corruptLeft = 0;
      statusFaults = undefined;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
