// DNS over TCP (RFC 1035 4.2.2: each message behind a two-byte length) beside the UDP server, for
// clients that retry there after a truncated (TC) UDP answer, such as `tasks.NAME` of a big service.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../../shared/log/index.js';

/** Answers one query from `client`; undefined = say nothing. */
export type DnsReplier = (msg: Buffer, client: string) => Promise<Buffer | undefined>;

/** Idle connections are closed after this long (a client opens one per lookup). */
const IDLE_MS = 10_000;
const MAX_BUFFERED_BYTES = 64 * 1024;

function serveConnection(sock: Socket, reply: DnsReplier): void {
  let buf = Buffer.alloc(0);
  sock.setTimeout(IDLE_MS, () => sock.destroy());
  sock.on('error', () => sock.destroy());
  sock.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (buf.length > MAX_BUFFERED_BYTES + 2) return void sock.destroy();
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
      buf = buf.subarray(2 + msg.length);
      void reply(Buffer.from(msg), sock.remoteAddress?.replace(/^::ffff:/, '') ?? '').then((r) => {
        if (!r || sock.destroyed) return;
        const len = Buffer.alloc(2);
        len.writeUInt16BE(r.length);
        sock.write(Buffer.concat([len, r]));
      });
    }
  });
}

export async function listenTcp(
  address: string,
  port: number,
  reply: DnsReplier,
  log: Logger,
): Promise<Server> {
  const server = createServer((sock) => serveConnection(sock, reply));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.warn({ err }, 'dns tcp socket error'));
  return server;
}
