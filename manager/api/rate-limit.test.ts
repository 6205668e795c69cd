import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installRateLimit, TokenBuckets } from './rate-limit.js';

function clock(start = 0) {
  const c = { ms: start, now: () => c.ms };
  return c;
}

describe('TokenBuckets', () => {
  it('allows a burst, then tells how long to wait for the next token', () => {
    const c = clock();
    const b = new TokenBuckets({ burst: 3, perMinute: 6, clock: c });
    expect([b.take('a'), b.take('a'), b.take('a')]).toEqual([0, 0, 0]);
    // 6 a minute: one token every 10 s.
    expect(b.take('a')).toBe(10);
    c.ms += 4_000;
    expect(b.take('a')).toBe(6);
    c.ms += 6_000;
    expect(b.take('a')).toBe(0);
  });

  it('keeps one bucket per key', () => {
    const b = new TokenBuckets({ burst: 1, perMinute: 1, clock: clock() });
    expect(b.take('a')).toBe(0);
    expect(b.take('a')).toBeGreaterThan(0);
    expect(b.take('b')).toBe(0);
  });

  it('never limits with a rate of 0', () => {
    const b = new TokenBuckets({ burst: 1, perMinute: 0, clock: clock() });
    for (let i = 0; i < 100; i++) expect(b.take('a')).toBe(0);
  });

  it('forgets full buckets first, then the oldest, past maxKeys', () => {
    const c = clock();
    const b = new TokenBuckets({ burst: 2, perMinute: 60, clock: c, maxKeys: 3 });
    b.take('busy');
    b.take('busy');
    c.ms += 1;
    for (const k of ['x', 'y', 'z']) b.take(k);
    expect(b.size).toBe(3);
    // 'busy' still owes a token, so the oldest of the rest went first and it is kept.
    expect(b.take('busy')).toBeGreaterThan(0);
  });
});

describe('installRateLimit', () => {
  it('answers 429 with Retry-After and RATE_LIMITED on the limited routes only', async () => {
    const app = Fastify();
    installRateLimit(
      app,
      new Set(['/ca']),
      new TokenBuckets({ burst: 1, perMinute: 2, clock: clock() }),
    );
    app.get('/ca', async () => ({ ok: true }));
    app.get('/info', async () => ({ ok: true }));
    expect((await app.inject({ url: '/ca' })).statusCode).toBe(200);
    const limited = await app.inject({ url: '/ca' });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('30');
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await app.inject({ url: '/info' })).statusCode).toBe(200);
    await app.close();
  });
});
