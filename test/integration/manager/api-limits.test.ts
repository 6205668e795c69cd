// The manager API against slow and greedy clients, over real TLS to a real manager process: a
// half-sent request is cut, connections past the cap are closed, /ca and /join are rate limited
// per address; and the audit log records changes and refused authentications without secrets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsr, generateKeyPair } from '../../../manager/ca/index.js';
import { adminTls, bundleCli, cli, https, ManagerProcess, portPair } from './harness.js';

const root = mkdtempSync(join(tmpdir(), 'flt-api-limits-'));
const managers: ManagerProcess[] = [];

function env(configDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    FLOTILLA_CONFIG: configDir,
    FLOTILLA_LOG_LEVEL: 'info',
    ...extra,
  };
  delete e.FLOTILLA_CONTEXT;
  return e;
}

async function started(name: string, extra: NodeJS.ProcessEnv = {}): Promise<ManagerProcess> {
  const m = new ManagerProcess(root, name, await portPair(), env(join(root, `cfg-${name}`), extra));
  managers.push(m);
  m.start(['--init', '--cluster-name', name]);
  await m.ready();
  return m;
}

/** A TLS connection to the API, resolved once the handshake is done. */
function tlsTo(addr: string): Promise<TLSSocket> {
  const i = addr.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const s = connect({
      host: addr.slice(0, i),
      port: Number(addr.slice(i + 1)),
      rejectUnauthorized: false,
    });
    s.once('secureConnect', () => resolve(s));
    s.once('error', reject);
    s.once('close', () => reject(new Error('closed before the handshake')));
  });
}

/** Everything the server sent until it closed the connection. */
function untilClosed(s: TLSSocket): Promise<string> {
  let text = '';
  s.on('data', (c: Buffer) => (text += c.toString()));
  s.on('error', () => undefined);
  return new Promise((resolve) => s.once('close', () => resolve(text)));
}

beforeAll(async () => {
  await bundleCli();
});

afterAll(async () => {
  for (const m of managers) await m.stop('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

describe('API limits (shortened through FLOTILLA_API_*)', () => {
  let m: ManagerProcess;

  beforeAll(async () => {
    m = await started('limited', {
      FLOTILLA_API_REQUEST_TIMEOUT_MS: '1000',
      FLOTILLA_API_MAX_CONNECTIONS: '6',
      FLOTILLA_API_JOIN_BURST: '3',
      FLOTILLA_API_JOIN_RATE_PER_MINUTE: '1',
    });
  });

  it('closes a connection whose headers are trickled in', async () => {
    const s = await tlsTo(m.apiAddr);
    const closed = untilClosed(s);
    s.write('GET /info HTTP/1.1\r\nHost: manager\r\n');
    // A byte now and then keeps the connection busy but never finishes the headers.
    const trickle = setInterval(() => s.writable && s.write('X-Slow: 1\r\n'), 100);
    const answer = await closed.finally(() => clearInterval(trickle));
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // Node's own defaults (60 s for headers, 300 s for a request) would take longer than this.
  }, 15_000);

  it('closes a connection whose body never arrives in full', async () => {
    const s = await tlsTo(m.apiAddr);
    const closed = untilClosed(s);
    s.write(
      'POST /join HTTP/1.1\r\nHost: manager\r\nContent-Type: application/json\r\n' +
        'Content-Length: 5000\r\n\r\n{"token":',
    );
    const trickle = setInterval(() => s.writable && s.write(' '), 100);
    const answer = await closed.finally(() => clearInterval(trickle));
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // Node's own defaults (60 s for headers, 300 s for a request) would take longer than this.
  }, 15_000);

  it('closes connections past the cap, and serves again once they are gone', async () => {
    const tries = await Promise.allSettled(Array.from({ length: 10 }, () => tlsTo(m.apiAddr)));
    const open = tries.flatMap((t) => (t.status === 'fulfilled' ? [t.value] : []));
    expect(open.length).toBeGreaterThan(0);
    expect(open.length).toBeLessThanOrEqual(6);
    for (const s of open) s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const info = await https(
      m.apiAddr,
      'GET',
      '/info',
      undefined,
      adminTls(join(root, 'cfg-limited'), 'limited'),
    );
    expect(info.status).toBe(200);
  });

  it('answers 429 with Retry-After once an address has used its /ca and /join burst', async () => {
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await https(m.apiAddr, 'GET', '/ca'));
    const limited = answers.find((a) => a.status === 429);
    expect(limited).toBeDefined();
    expect(limited!.body.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited!.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Authenticated routes are not limited.
    const info = await https(
      m.apiAddr,
      'GET',
      '/info',
      undefined,
      adminTls(join(root, 'cfg-limited'), 'limited'),
    );
    expect(info.status).toBe(200);
  });

  it('refuses a bad limit by the name of its variable', async () => {
    const bad = new ManagerProcess(
      root,
      'bad',
      await portPair(),
      env(join(root, 'cfg-bad'), { FLOTILLA_API_MAX_CONNECTIONS: 'lots' }),
    );
    managers.push(bad);
    bad.start(['--init']);
    expect(await bad.exited()).toBe(125);
    expect(bad.stderr).toContain('FLOTILLA_API_MAX_CONNECTIONS');
  });
});

describe('audit log', () => {
  let m: ManagerProcess;
  const cfg = join(root, 'cfg-audited');

  beforeAll(async () => {
    m = await started('audited');
  });

  /** The audit lines the manager has logged so far (it logs JSON lines to stderr). */
  function audits(): Record<string, any>[] {
    return m.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>)
      .filter((l) => l.audit === true);
  }

  async function auditLine(match: (l: Record<string, any>) => boolean) {
    for (let i = 0; i < 100; i++) {
      const hit = audits().find(match);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no such audit line in:\n${JSON.stringify(audits(), null, 1)}`);
  }

  it('logs changes and refused authentications, and never a token', async () => {
    const e = env(cfg);
    const admin = adminTls(cfg, 'audited');
    const workerToken = cli(e, 'cluster', 'join-token', 'worker', '-q').stdout.trim();
    const managerToken = cli(e, 'cluster', 'join-token', 'manager', '-q').stdout.trim();
    expect(workerToken).toMatch(/^FLT-1-/);

    // A change by the admin.
    expect(cli(e, 'cluster', 'join-token', 'manager', '--rotate').status).toBe(0);
    const rotated = await auditLine((l) => l.action === 'POST /cluster/join-token/:role/rotate');
    expect(rotated).toMatchObject({
      level: 30,
      msg: 'audit',
      role: 'admin',
      target: { role: 'manager' },
      result: { status: 200 },
    });
    // The admin certificate's CN: the admin's id (cluster admin ls).
    expect(rotated.actor).toMatch(/^[0-9a-z]{25}$/);

    // A join (a change by nobody yet), then the worker's certificate refused by the API.
    const w = await generateKeyPair();
    const joined = await https(m.apiAddr, 'POST', '/join', {
      token: workerToken,
      csrPem: await createCsr('CN=w', w.keys),
    });
    expect(joined.status).toBe(200);
    const nodeId: string = joined.body.nodeId;
    expect(
      await auditLine((l) => l.action === 'POST /join' && l.result.status === 200),
    ).toMatchObject({ actor: 'anonymous', target: { id: nodeId } });
    const asWorker = await https(m.apiAddr, 'GET', '/info', undefined, {
      cert: joined.body.certPem,
      key: w.keyPem,
    });
    expect(asWorker.status).toBe(403);
    expect(await auditLine((l) => l.actor === nodeId)).toMatchObject({
      role: 'worker',
      action: 'GET /info',
      result: { status: 403, code: 'PERMISSION_DENIED' },
    });

    // No certificate at all, and a bad join token.
    expect((await https(m.apiAddr, 'GET', '/services')).status).toBe(403);
    expect(await auditLine((l) => l.action === 'GET /services')).toMatchObject({
      actor: 'anonymous',
      result: { status: 403, code: 'CLIENT_CERT_REQUIRED' },
    });
    const badToken = workerToken.slice(0, -1) + (workerToken.endsWith('0') ? '1' : '0');
    expect((await https(m.apiAddr, 'POST', '/join', { token: badToken, csrPem: 'x' })).status).toBe(
      403,
    );
    await auditLine((l) => l.action === 'POST /join' && l.result.code === 'JOIN_TOKEN_REJECTED');

    // Plain reads are not audited.
    expect((await https(m.apiAddr, 'GET', '/info', undefined, admin)).status).toBe(200);
    expect(audits().filter((l) => l.action === 'GET /info' && l.result.status === 200)).toEqual([]);

    for (const secret of [workerToken, managerToken, badToken, workerToken.slice(-25)])
      expect(m.stderr).not.toContain(secret);
    expect(m.stderr).not.toContain('PRIVATE KEY');
  });
});
