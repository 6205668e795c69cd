import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/log/index.js';
import { buildQuery, buildReply, parseAnswers, parseQuestion } from './packet.js';
import { NetworkDnsServer } from './server.js';

async function ask(
  port: number,
  name: string,
  type = 1,
): Promise<{ rcode: number; addresses: string[]; truncated?: boolean }> {
  const s = createSocket('udp4');
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer')), 3000);
      s.on('message', (m) => {
        clearTimeout(timer);
        resolve(parseAnswers(m));
      });
      s.send(buildQuery(0x1234, name, type), port, '127.0.0.1');
    });
  } finally {
    s.close();
  }
}

describe('NetworkDnsServer', () => {
  it('answers known names, forwards the rest and refuses clients outside the subnet', async () => {
    // A fake upstream that answers every query with 192.0.2.9.
    const upstream = createSocket('udp4');
    await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
    upstream.on('message', (m, rinfo) => {
      const q = parseQuestion(m)!;
      upstream.send(buildReply(m, q, ['192.0.2.9']), rinfo.port, rinfo.address);
    });
    const names: Record<string, string[]> = { web: ['10.9.0.2'], db: ['10.9.0.3'] };
    const server = new NetworkDnsServer({
      address: '127.0.0.1',
      port: 0,
      subnet: '127.0.0.0/8',
      resolve: (n) => (names[n] ? { kind: 'answer', addresses: names[n] } : { kind: 'forward' }),
      upstreams: [`127.0.0.1:${upstream.address().port}`],
      log: silentLogger(),
    });
    await server.start();
    const port = (server as unknown as { socket: { address(): { port: number } } }).socket.address()
      .port;
    try {
      expect(await ask(port, 'web')).toEqual({ rcode: 0, addresses: ['10.9.0.2'] });
      expect(await ask(port, 'DB.')).toEqual({ rcode: 0, addresses: ['10.9.0.3'] });
      expect(await ask(port, 'web', 28)).toEqual({ rcode: 0, addresses: [] });
      expect(await ask(port, 'example.org')).toEqual({ rcode: 0, addresses: ['192.0.2.9'] });
    } finally {
      await server.stop();
      upstream.close();
    }
  });

  it('forwards a client with its own --dns servers to those, not the network’s', async () => {
    const fake = async (answer: string) => {
      const u = createSocket('udp4');
      await new Promise<void>((r) => u.bind(0, '127.0.0.1', () => r()));
      u.on('message', (m, rinfo) =>
        u.send(buildReply(m, parseQuestion(m)!, [answer]), rinfo.port, rinfo.address),
      );
      return u;
    };
    const shared = await fake('192.0.2.1');
    const own = await fake('192.0.2.2');
    const server = new NetworkDnsServer({
      address: '127.0.0.1',
      port: 0,
      subnet: '127.0.0.0/8',
      resolve: () => ({ kind: 'forward' }),
      upstreams: [`127.0.0.1:${shared.address().port}`],
      upstreamsOf: (ip) => (ip === '127.0.0.1' ? [`127.0.0.1:${own.address().port}`] : undefined),
      log: silentLogger(),
    });
    await server.start();
    const port = server.port()!;
    try {
      expect(await ask(port, 'example.org')).toMatchObject({ rcode: 0, addresses: ['192.0.2.2'] });
    } finally {
      await server.stop();
      shared.close();
      own.close();
    }
  });
});

async function askTcp(port: number, name: string) {
  const q = buildQuery(0x4321, name);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(q.length);
  return new Promise<ReturnType<typeof parseAnswers>>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(Buffer.concat([len, q])));
    let buf = Buffer.alloc(0);
    s.on('error', reject);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        s.destroy();
        resolve(parseAnswers(buf.subarray(2)));
      }
    });
  });
}

describe('NetworkDnsServer decisions', () => {
  it('answers A and ANY, NODATA for AAAA, NXDOMAIN, REFUSED, and cuts long answers with TC', async () => {
    const many = Array.from({ length: 100 }, (_, i) => `10.9.1.${i + 1}`);
    const server = new NetworkDnsServer({
      address: '127.0.0.1',
      port: 0,
      subnet: '127.0.0.0/8',
      ttlSec: 0,
      resolve: (n) =>
        n === 'back'
          ? { kind: 'answer', addresses: ['10.9.0.3'] }
          : n === 'tasks.big'
            ? { kind: 'answer', addresses: many }
            : n === 'lonely'
              ? { kind: 'nxdomain' }
              : { kind: 'refused' },
      upstreams: [],
      log: silentLogger(),
    });
    await server.start();
    const port = server.port()!;
    try {
      expect(await ask(port, 'back')).toEqual({ rcode: 0, addresses: ['10.9.0.3'] });
      expect(await ask(port, 'back', 255)).toEqual({ rcode: 0, addresses: ['10.9.0.3'] });
      expect(await ask(port, 'back', 28)).toEqual({ rcode: 0, addresses: [] });
      expect(await ask(port, 'lonely')).toEqual({ rcode: 3, addresses: [] });
      expect(await ask(port, 'stranger')).toEqual({ rcode: 5, addresses: [] });
      const big = await ask(port, 'tasks.big');
      expect(big.truncated).toBe(true);
      expect(big.addresses).toEqual(many.slice(0, big.addresses.length));
      expect(big.addresses.length).toBe(30); // (512 - 12 - 15) / 16
      // The client's retry over TCP gets all of them.
      const overTcp = await askTcp(server.port()!, 'tasks.big');
      expect(overTcp).toEqual({ rcode: 0, addresses: many });
    } finally {
      await server.stop();
    }
  });
});
