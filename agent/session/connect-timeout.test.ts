// A manager on a machine cut off from the network accepts nothing and refuses nothing: the agent
// must move on to the next manager after its connect timeout, not after gRPC's own (20 s or more).
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import { TestCa } from './ca-fixtures.js';
import { SessionClient } from './client.js';

/** A TCP server that takes connections and never says a word (no TLS handshake, no reset). */
async function silentServer(): Promise<{ server: Server; addr: string; connected: Promise<void> }> {
  const sockets: Socket[] = [];
  let onConnection!: () => void;
  const connected = new Promise<void>((r) => (onConnection = r));
  const server = createServer((s) => {
    sockets.push(s);
    onConnection();
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { server, addr: `127.0.0.1:${port}`, connected };
}

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe('the session client', () => {
  it('moves to the next manager when a connection gets no answer', async () => {
    const ca = await TestCa.create();
    const tls = await ca.issueKeyAndCertificate('worker', 'node-1');
    const [silent, next] = [await silentServer(), await silentServer()];
    closers.push(
      () => silent.server.close(),
      () => next.server.close(),
    );
    const client = new SessionClient({
      identity: { nodeId: 'node-1', managers: [silent.addr, next.addr], ...tls },
      description: () => ({
        hostname: 'alpha',
        addr: '127.0.0.1',
        platform: { os: 'linux', architecture: 'x86_64' },
        resources: { nanoCpus: 1e9, memoryBytes: 2 ** 30 },
        engineVersion: 'test',
        engineLabels: {},
      }),
      executor: { apply: () => undefined },
      reporter: { attach: () => undefined, detach: () => undefined } as never,
      log: silentLogger(),
      connectTimeoutMs: 100,
      backoff: { initialMs: 1, maxMs: 1 },
    });
    await client.start();
    closers.push(() => client.stop());
    await silent.connected;
    await next.connected;
    expect(client.lastError).toMatchObject({
      code: 'MANAGER_UNREACHABLE',
      message: expect.stringContaining(silent.addr),
    });
  });
});
