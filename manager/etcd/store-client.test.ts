import { Etcd3 } from 'etcd3';
import { afterEach, describe, expect, it } from 'vitest';
import { preferFirstHost, storeClient } from './store-client.js';

const hosts = ['http://127.0.0.1:1', 'http://10.0.0.2:2', 'http://10.0.0.3:3'];

interface Pool {
  hosts: { host: string }[];
  shuffledHosts(): Generator<{ host: string }>;
  withConnection<T>(service: string, fn: (c: { resource: { host: string } }) => T): Promise<T>;
}
const poolOf = (c: Etcd3) => (c as unknown as { pool: Pool }).pool;

describe('the manager etcd client', () => {
  const clients: Etcd3[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  const make = (ownFirst: boolean) => {
    const c = storeClient({ hosts, ownFirst });
    clients.push(c);
    return c;
  };

  it('tries its own member first for every call, then each other member once per round', () => {
    const pool = poolOf(make(true));
    for (let call = 0; call < 20; call++) {
      const gen = pool.shuffledHosts();
      const order = Array.from({ length: 6 }, () => gen.next().value!.host);
      expect(order[0]).toBe('127.0.0.1:1');
      expect(order.slice(1, 3).sort()).toEqual(['10.0.0.2:2', '10.0.0.3:3']);
      expect(order[3]).toBe('127.0.0.1:1');
    }
  });

  it('hands a call (or a watch, or a lease stream) the own member', async () => {
    const pool = poolOf(make(true));
    for (let call = 0; call < 10; call++)
      expect(await pool.withConnection('Watch', ({ resource }) => resource.host)).toBe(
        '127.0.0.1:1',
      );
  });

  it('leaves the order of an external etcd to etcd3 (random)', async () => {
    const pool = poolOf(make(false));
    const seen = new Set<string>();
    for (let call = 0; call < 60; call++)
      seen.add(await pool.withConnection('KV', ({ resource }) => resource.host));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('refuses a client whose connection pool is not the one it knows', () => {
    const odd = new Etcd3({ hosts });
    clients.push(odd);
    const inner = odd as unknown as { pool: object };
    const real = inner.pool;
    inner.pool = {};
    expect(() => preferFirstHost(odd)).toThrow(/cannot order its members/);
    inner.pool = real;
  });
});
