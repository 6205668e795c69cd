import { GRPCCancelledError, GRPCUnavailableError } from 'etcd3';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { storeClient, type StoreClient } from './store-client.js';

// Loopback ports nobody listens on: a connection is refused at once.
const own = 'http://127.0.0.1:1';
const b = 'http://127.0.0.2:2';
const c = 'http://127.0.0.3:3';

interface Pool {
  hosts: { host: string }[];
  withConnection<T>(service: string, fn: (c: { resource: { host: string } }) => T): Promise<T>;
  markFailed(resource: { host: string }, err: Error): void;
}
const poolOf = (s: StoreClient) => (s.client as unknown as { pool: Pool }).pool;
/** The member (host:port) the pool hands the next call. */
const next = (pool: Pool) => pool.withConnection('KV', ({ resource }) => resource.host);

describe('the manager etcd client', () => {
  const clients: StoreClient[] = [];
  afterEach(() => {
    for (const s of clients.splice(0)) s.client.close();
  });
  const make = (o: { own?: string; hosts?: string[] } = { own }) => {
    const clock = { t: 0, now: () => clock.t };
    const s = storeClient({ hosts: o.hosts ?? [own, b, c], own: o.own, clock });
    clients.push(s);
    return { s, pool: poolOf(s), clock };
  };

  it('hands every call, watch and lease stream its own member', async () => {
    const { pool } = make();
    for (let i = 0; i < 10; i++) expect(await next(pool)).toBe('127.0.0.1:1');
    expect(await pool.withConnection('Watch', ({ resource }) => resource.host)).toBe('127.0.0.1:1');
  });

  it('moves calls to the other members for 5 s when its own fails, then back', async () => {
    const { pool, clock } = make();
    await expect(
      pool.withConnection('KV', () => {
        throw new GRPCUnavailableError('connect ECONNREFUSED');
      }),
    ).rejects.toThrow(GRPCUnavailableError);
    for (let i = 0; i < 5; i++) expect(['127.0.0.2:2', '127.0.0.3:3']).toContain(await next(pool));
    clock.t += 5_000;
    expect(await next(pool)).toBe('127.0.0.1:1');
  });

  it('moves away from a member whose stream failed (a ping unanswered), not one cancelled', async () => {
    const { pool } = make();
    const ownHost = pool.hosts.find((h) => h.host === '127.0.0.1:1')!;
    pool.markFailed(ownHost, new GRPCCancelledError('Cancelled on client'));
    expect(await next(pool)).toBe('127.0.0.1:1');
    pool.markFailed(ownHost, new GRPCUnavailableError('keepalive watchdog timeout'));
    expect(await next(pool)).not.toBe('127.0.0.1:1');
  });

  it('stays on its own member when etcd answers UNAVAILABLE itself (no leader, timed out)', async () => {
    const { pool } = make();
    await expect(
      pool.withConnection('KV', () => {
        throw new GRPCUnavailableError('14 UNAVAILABLE: etcdserver: request timed out');
      }),
    ).rejects.toThrow(/request timed out/);
    expect(await next(pool)).toBe('127.0.0.1:1');
  });

  it('gives up on a member whose connection is not made in time, and puts it last', async () => {
    // Takes connections and never answers the TLS handshake: as a machine cut off the network.
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const hung = `https://127.0.0.1:${port}`;
    const s = storeClient({
      hosts: [hung, 'https://127.0.0.2:2'],
      own: hung,
      connectTimeoutMs: 100,
    });
    clients.push(s);
    try {
      const pool = poolOf(s);
      await expect(next(pool)).rejects.toThrow(/no connection to .* within 100 ms/);
      expect(s.choice.order()).toEqual(['https://127.0.0.2:2', hung]);
    } finally {
      sockets.forEach((x) => x.destroy());
      silent.close();
    }
  });

  it('takes a failed member back when a call to it answers', async () => {
    const { s, pool } = make({ hosts: [b, c] });
    s.choice.failed(b);
    s.choice.failed(c);
    // Both failed: the one that failed longest ago is tried, and its answer clears it.
    expect(await next(pool)).toBe('127.0.0.2:2');
    expect(s.choice.order()[0]).toBe(b);
  });

  it('drops a member removed from the cluster and adds one that joined', async () => {
    const { s, pool } = make();
    const d = 'http://127.0.0.4:4';
    s.setMembers([own, b, d]);
    expect(pool.hosts.map((h) => h.host).sort()).toEqual([
      '127.0.0.1:1',
      '127.0.0.2:2',
      '127.0.0.4:4',
    ]);
    s.choice.failed(own);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add(await next(pool));
    expect(seen).toEqual(new Set(['127.0.0.2:2', '127.0.0.4:4']));
  });

  it('never hands a call, or its retry, a member dropped since the call began', () => {
    const { s, pool } = make();
    const gen = (
      pool as unknown as { shuffledHosts(): Generator<{ host: string }> }
    ).shuffledHosts();
    expect(gen.next().value!.host).toBe('127.0.0.1:1');
    s.setMembers([own, b]);
    const drawn = Array.from({ length: 6 }, () => gen.next().value!.host);
    expect(drawn).not.toContain('127.0.0.3:3');
  });

  it('picks members at random on an external etcd (no own member)', async () => {
    const { pool } = make({ hosts: [own, b, c] });
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) seen.add(await next(pool));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('refuses a pool it does not know (an etcd3 upgrade changed it)', async () => {
    const { Etcd3 } = await import('etcd3');
    const proto = Object.getPrototypeOf(
      (new Etcd3({ hosts: own }) as unknown as { pool: object }).pool,
    );
    const saved = proto.markFailed;
    delete proto.markFailed;
    try {
      expect(() => storeClient({ hosts: [own], own })).toThrow(/cannot order members/);
    } finally {
      proto.markFailed = saved;
    }
  });
});

describe('the etcd client keeps its connections', () => {
  it('when etcd itself answers UNAVAILABLE (an election), and closes them when a member fails', async () => {
    const s = storeClient({ hosts: [own], own });
    try {
      const pool = poolOf(s) as Pool & { hosts: { resetAllServices(): void }[] };
      const host = pool.hosts[0];
      let resets = 0;
      const real = Object.getPrototypeOf(host).resetAllServices;
      host.resetAllServices = function (this: unknown) {
        resets++;
        real.call(this);
      };
      const fail = (message: string) =>
        pool
          .withConnection('KV', () => {
            throw new GRPCUnavailableError(message);
          })
          .catch(() => undefined);
      await fail('14 UNAVAILABLE: etcdserver: leader changed');
      expect(resets).toBe(0);
      await fail('14 UNAVAILABLE: Connection dropped');
      expect(resets).toBe(1);
    } finally {
      s.client.close();
    }
  });

  it('reopens a watch after at most 2 s, however often it failed', async () => {
    const { watchBackoff } = await import('./store-client.js');
    let b = watchBackoff();
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      b = b.next(undefined) as typeof b;
      seen.push(b.duration);
    }
    expect(seen).toEqual([100, 200, 400, 800, 1600, 2000, 2000, 2000]);
  });
});
