// Dashboard benchmark: the manager's CPU with the web dashboard's live feed open (a page's
// server-sent events stream, read here) against closed, at BENCH_NODES simulated agents (the
// real gRPC session protocol over mTLS, bench/scheduler's agents) while a service of
// BENCH_TASKS replicas is scaled up and down by BENCH_CHURN every 5 s. Windows alternate
// closed / open so that the machine's other load falls on both. Prints one JSON document;
// run with bench/dashboard/run.sh. Also reports the page weight of the bundled files.
import { readFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createLogger } from '../../shared/log/index.js';
import { startSimAgent, type SimAgent } from '../../test/harness/cluster/sim-agent.js';
import { startJsonChild } from '../common/json-child.js';

const nodes = Number(process.env.BENCH_NODES ?? 1000);
const tasks = Number(process.env.BENCH_TASKS ?? 3000);
const churn = Number(process.env.BENCH_CHURN ?? 500);
const windowSec = Number(process.env.BENCH_WINDOW_SEC ?? 30);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const log = createLogger({ proc: 'bench', level: 'warn' });

const manager = startJsonChild(fileURLToPath(new URL('./manager-proc.js', import.meta.url)));
const next = <T>(key: string) => manager.next<T>(key);

interface Ready {
  address: string;
  apiAddr: string;
  token: string;
  admin: { ca: string; cert: string; key: string };
}
const ready = await next<Ready>('ready');
const agents: SimAgent[] = [];
for (let i = 0; i < nodes; i += 16) {
  const batch = Array.from({ length: Math.min(16, nodes - i) }, (_, j) =>
    startSimAgent({ address: ready.address, token: ready.token, hostname: `sim-${i + j}`, log }),
  );
  agents.push(...(await Promise.all(batch)));
}
while (agents.some((a) => a.session.sessionsOpened === 0)) await sleep(200);
manager.send(`service ${tasks}`);
await next('running');

const [host, port] = [ready.apiAddr.split(':')[0], Number(ready.apiAddr.split(':')[1])];
const base: RequestOptions = { host, port, rejectUnauthorized: false };

/** Logs in as a browser would (login URL from the admin certificate) and reads the feed. */
async function openFeed() {
  const minted = JSON.parse(
    await text({
      ...base,
      method: 'POST',
      path: '/dashboard-logins',
      cert: ready.admin.cert,
      key: ready.admin.key,
    }),
  ) as { url: string };
  const login = await answer({
    ...base,
    path: new URL(minted.url).pathname + new URL(minted.url).search,
  });
  const cookie = String(login.headers['set-cookie']).split(';')[0];
  const counts = { bytes: 0, frames: 0, snapshotBytes: 0 };
  const req = request({ ...base, path: '/dashboard/api/feed', headers: { cookie } }, (res) =>
    res.on('data', (c: Buffer) => {
      if (counts.snapshotBytes === 0) counts.snapshotBytes = -1;
      counts.bytes += c.length;
      counts.frames += c.toString().split('\n\n').length - 1;
    }),
  );
  req.end();
  await sleep(2000);
  counts.snapshotBytes = counts.bytes;
  return { counts, close: () => req.destroy() };
}

const results: {
  open: boolean;
  cpuSec: number;
  wallSec: number;
  feedBytes?: number;
  frames?: number;
}[] = [];
let snapshotBytes = 0;
for (let r = 0; r < rounds; r++)
  for (const open of [false, true]) {
    const feed = open ? await openFeed() : undefined;
    const before = feed ? { ...feed.counts } : undefined;
    manager.send(`window ${windowSec} ${churn}`);
    const { window } = await next<{ window: { cpuSec: number; wallSec: number } }>('window');
    if (feed) {
      snapshotBytes = feed.counts.snapshotBytes;
      feed.close();
    }
    results.push({
      open,
      ...window,
      ...(feed && before
        ? {
            feedBytes: feed.counts.bytes - before.bytes,
            frames: feed.counts.frames - before.frames,
          }
        : {}),
    });
  }
await Promise.all([manager.exit(), ...agents.map((a) => a.stop())]);

const mean = (open: boolean) => {
  const w = results.filter((x) => x.open === open);
  return Math.round((w.reduce((s, x) => s + x.cpuSec / x.wallSec, 0) / w.length) * 1000) / 1000;
};
const dist = new URL('../../dashboard/', import.meta.url);
const page = ['index.html', 'app.js', 'app.css'].map((f) => {
  const b = readFileSync(new URL(f, dist));
  return { file: f, bytes: b.length, gzipBytes: gzipSync(b, { level: 9 }).length };
});
process.stdout.write(
  JSON.stringify(
    {
      benchmark: 'dashboard',
      config: { nodes, tasks, churn, windowSec, rounds },
      managerCpuCoresClosed: mean(false),
      managerCpuCoresOpen: mean(true),
      snapshotBytes,
      windows: results,
      page,
      pageTotal: {
        bytes: page.reduce((s, p) => s + p.bytes, 0),
        gzipBytes: page.reduce((s, p) => s + p.gzipBytes, 0),
      },
    },
    null,
    2,
  ) + '\n',
);
process.exit(0);

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

function answer(
  o: RequestOptions,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(o, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function text(o: RequestOptions): Promise<string> {
  const a = await answer(o);
  if (a.status >= 300) throw new Error(`${o.path}: ${a.status} ${a.body}`);
  return a.body;
}
