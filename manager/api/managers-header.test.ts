import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installManagersHeader, managersHeader } from './managers-header.js';

describe('the flotilla-managers header', () => {
  it('names the managers read last, re-reading at most every refresh period', async () => {
    let now = 0;
    let reads = 0;
    let list = ['10.0.0.1:4243'];
    const app = Fastify();
    installManagersHeader(app, async () => (reads++, list), { now: () => now }, 2000);
    app.get('/x', async () => ({ ok: true }));
    // The first answer starts the read; it never waits for it.
    await app.inject('/x');
    await new Promise((r) => setImmediate(r));
    expect((await app.inject('/x')).headers[managersHeader]).toBe('10.0.0.1:4243');
    list = ['10.0.0.1:4243', '10.0.0.2:4243'];
    await app.inject('/x');
    expect(reads).toBe(1);
    now = 2500;
    await app.inject('/x');
    await new Promise((r) => setImmediate(r));
    expect((await app.inject('/x')).headers[managersHeader]).toBe('10.0.0.1:4243,10.0.0.2:4243');
    expect(reads).toBe(2);
  });

  it('keeps the last list when a read fails (no quorum)', async () => {
    let fail = false;
    let now = 0;
    const app = Fastify();
    installManagersHeader(
      app,
      async () => {
        if (fail) throw new Error('etcdserver: request timed out');
        return ['a:1'];
      },
      { now: () => now },
    );
    app.get('/x', async () => ({}));
    await app.inject('/x');
    await new Promise((r) => setImmediate(r));
    fail = true;
    now = 10_000;
    await app.inject('/x');
    await new Promise((r) => setImmediate(r));
    expect((await app.inject('/x')).headers[managersHeader]).toBe('a:1');
  });
});
