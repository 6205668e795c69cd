// Who may use the web dashboard, against a real manager over real TLS: `flotilla dashboard --url`
// mints a one-time login URL for the context's admin; without its session cookie the page, its
// feed and its actions answer 401; the cookie is HttpOnly, Secure and SameSite=Strict; an action
// needs the page's CSRF header; a scale from the dashboard's API changes the service and is
// audited as the admin; the feed (server-sent events) starts with a snapshot of the cluster.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, cli, ManagerProcess, portPair } from './harness.js';

const root = mkdtempSync(join(tmpdir(), 'flt-dashboard-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  FLOTILLA_CONFIG: join(root, 'cfg'),
  FLOTILLA_LOG_LEVEL: 'info',
};
delete env.FLOTILLA_CONTEXT;
delete env.FLOTILLA_HOST;
let m: ManagerProcess;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A browser-like request: no client certificate, cookies and headers as given. */
function browser(
  url: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    body?: unknown;
    firstChunk?: boolean;
  } = {},
): Promise<Answer> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const r = request(
      url,
      {
        method: opts.method ?? 'GET',
        rejectUnauthorized: false,
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
          // An event stream never ends: the first event is all we read.
          if (opts.firstChunk && text.includes('\n\n')) {
            res.destroy();
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    r.on('error', reject);
    r.end(payload);
  });
}

function loginUrl(): string {
  const r = cli(env, 'dashboard', '--url');
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

/** A fresh service name per attempt (the project retries integration tests once). */
let attempt = 0;

/**
 * The first audit line that matches, once the manager's stderr has been read: the CLI runs with
 * spawnSync, which blocks this process's event loop, so lines may still be waiting in the pipe.
 */
async function auditLine(match: (l: Record<string, any>) => boolean) {
  for (let i = 0; i < 100; i++) {
    const hit = audits().find(match);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no such audit line in:\n${JSON.stringify(audits(), null, 1)}`);
}

function audits(): Record<string, any>[] {
  return m.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>)
    .filter((l) => l.audit === true);
}

beforeAll(async () => {
  await bundleCli();
  m = new ManagerProcess(root, 'm', await portPair(), env);
  m.start(['--init', '--no-socket']);
  await m.ready();
});

afterAll(async () => {
  await m?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('dashboard access', () => {
  it('answers 401 without a session, and logs in once with the printed URL', async () => {
    const base = `https://${m.apiAddr}`;
    for (const path of [
      '/dashboard/',
      '/dashboard/app.js',
      '/dashboard/api/feed',
      '/dashboard/x',
    ]) {
      const r = await browser(base + path);
      expect(r.status, path).toBe(401);
      expect(JSON.parse(r.text).code).toBe('DASHBOARD_SESSION_REQUIRED');
    }
    const refused = await browser(`${base}/dashboard/api/nodes/x/availability`, {
      method: 'POST',
      body: { availability: 'drain' },
    });
    expect(refused.status).toBe(401);
    // The login URL is minted only for a client certificate: a bare browser gets nothing.
    expect((await browser(`${base}/dashboard-logins`, { method: 'POST' })).status).toBe(403);

    const url = loginUrl();
    expect(url).toMatch(
      new RegExp(
        `^https://127\\.0\\.0\\.1:${m.apiAddr.split(':')[1]}/dashboard/login\\?token=[A-Za-z0-9_-]{40,}$`,
      ),
    );
    const login = await browser(url);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/dashboard/');
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^flotilla_dashboard=[A-Za-z0-9_-]+;/);
    for (const attr of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/dashboard'])
      expect(setCookie).toContain(attr);
    // One time only.
    const again = await browser(url);
    expect(again.status).toBe(401);
    expect(JSON.parse(again.text).code).toBe('DASHBOARD_LOGIN_REFUSED');

    const cookie = setCookie.split(';')[0];
    const page = await browser(`${base}/dashboard/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script type="module" src="app.js">');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const js = await browser(`${base}/dashboard/app.js`, { headers: { cookie } });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
  });

  it('scales a service from the dashboard API with the CSRF header, audited as the admin', async () => {
    const base = `https://${m.apiAddr}`;
    const name = `dash${++attempt}`;
    const c = cli(env, 'service', 'create', '-d', '--name', name, '--replicas', '1', 'busybox');
    expect(c.status, c.stderr).toBe(0);
    const j = cli(env, 'dashboard', '--url', '--format', 'json');
    expect(j.status, j.stderr).toBe(0);
    const minted = JSON.parse(j.stdout) as { url: string; expiresAt: string };
    const ttlMs = Date.parse(minted.expiresAt) - Date.now();
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(5 * 60_000);
    const login = await browser(minted.url);
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const session = JSON.parse(
      (await browser(`${base}/dashboard/api/session`, { headers: { cookie } })).text,
    );
    expect(session.csrf).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    const feed = await browser(`${base}/dashboard/api/feed`, {
      headers: { cookie },
      firstChunk: true,
    });
    expect(feed.status).toBe(200);
    expect(feed.headers['content-type']).toContain('text/event-stream');
    expect(feed.text.startsWith('event: snapshot\ndata: ')).toBe(true);
    const snapshot = JSON.parse(feed.text.split('\n')[1].slice('data: '.length));
    const svc = snapshot.services.find((s: { name: string }) => s.name === name);
    expect(svc).toMatchObject({ mode: 'replicated', replicas: 1, image: 'busybox' });

    const scale = (headers: Record<string, string>) =>
      browser(`${base}/dashboard/api/services/${name}/scale`, {
        method: 'POST',
        headers: { cookie, ...headers },
        body: { replicas: 4 },
      });
    const noCsrf = await scale({});
    expect(noCsrf.status).toBe(403);
    expect(JSON.parse(noCsrf.text).code).toBe('DASHBOARD_ACTION_REFUSED');
    const crossSite = await scale({
      'x-flotilla-csrf': session.csrf,
      origin: 'https://evil.example',
    });
    expect(crossSite.status).toBe(403);
    const ok = await scale({ 'x-flotilla-csrf': session.csrf, origin: base });
    expect(ok.status, ok.text).toBe(200);

    const inspect = cli(env, 'service', 'inspect', name);
    expect(inspect.status, inspect.stderr).toBe(0);
    expect(JSON.parse(inspect.stdout)[0].spec.mode).toEqual({ replicated: { replicas: 4 } });

    const line = await auditLine(
      (a) => a.action === 'POST /dashboard/api/services/:id/scale' && a.result.status === 200,
    );
    expect(line).toMatchObject({ role: 'admin', via: 'dashboard', target: { id: name } });
    expect(line!.actor).toMatch(/^[0-9a-z]{10,}$/);
    const refusedLine = await auditLine((a) => a.result?.code === 'DASHBOARD_ACTION_REFUSED');
    expect(refusedLine).toBeDefined();
    // No token, cookie or CSRF value in the log.
    expect(m.stderr).not.toContain(cookie.split('=')[1]);
    expect(m.stderr).not.toContain(session.csrf);
  });
});
