import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PortAllocator } from './allocator.js';

const tcp = (hostPort: number, hostIp = '127.0.0.1') => ({
  hostIp,
  hostPort,
  containerPort: 80,
  protocol: 'tcp' as const,
});

describe('PortAllocator', () => {
  it('refuses a port a host process listens on, naming it', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as { port: number }).port;
    try {
      await expect(new PortAllocator().reserve('c1', 'web', [tcp(port)])).rejects.toThrow(
        `cannot publish 127.0.0.1:${port}/tcp: port ${port} is already in use by a host process`,
      );
    } finally {
      srv.close();
    }
  });

  it('refuses a port another container holds, all-or-nothing, and frees it on release', async () => {
    const ports = new PortAllocator({ range: [41000, 41999] });
    const [got] = await ports.reserve('c1', 'web', [{ ...tcp(0), hostIp: '0.0.0.0' }]);
    expect(got.hostIp).toBe('');
    expect(got.hostPort).toBeGreaterThanOrEqual(41000);
    await expect(
      ports.reserve('c2', 'db', [tcp(got.hostPort + 1), tcp(got.hostPort)]),
    ).rejects.toThrow(`port ${got.hostPort} is already in use by container web`);
    // The first binding of the refused request was given back.
    const again = await ports.reserve('c3', 'x', [tcp(got.hostPort + 1)]);
    expect(again[0].hostPort).toBe(got.hostPort + 1);
    // UDP on the same number is no clash.
    await ports.reserve('c4', 'u', [{ ...tcp(got.hostPort), protocol: 'udp' }]);
    ports.release('c1');
    await ports.reserve('c5', 'y', [tcp(got.hostPort)]);
    expect(ports.portsOf('c5')).toHaveLength(1);
    ports.releaseAll();
  });

  it('rejects nonsense ports naming the value', async () => {
    await expect(
      new PortAllocator().reserve('c', 'n', [{ ...tcp(80), containerPort: 0 }]),
    ).rejects.toThrow(/invalid port publish "127.0.0.1:80:0\/tcp"/);
  });
});
