// A manager started with --metrics-addr, driven through the CLI: /metrics parses as Prometheus
// text and its task counts follow a service's creation and removal; `flotilla events` with the
// cluster context shows that creation and removal, filtered and windowed as Docker's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../manager/etcd/index.js';
import { sampleValue, scrapeMetrics } from '../../harness/prometheus-text.js';
import { bundleCli, cli, ManagerProcess, portPair } from '../manager/harness.js';

const root = mkdtempSync(join(tmpdir(), 'flt-metrics-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  FLOTILLA_CONFIG: join(root, 'cfg'),
  FLOTILLA_LOG_LEVEL: 'warn',
};
delete env.FLOTILLA_CONTEXT;
delete env.FLOTILLA_HOST;
let m: ManagerProcess;
let metricsAddr: string;

const scrape = () => scrapeMetrics(metricsAddr);

async function until<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 150; i++) {
    const v = await f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  await bundleCli();
  metricsAddr = `127.0.0.1:${await freePort()}`;
  m = new ManagerProcess(root, 'm', await portPair(), env);
  m.start(['--init', '--metrics-addr', metricsAddr]);
  await m.ready();
});

afterAll(async () => {
  await m?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('manager metrics and events', () => {
  it('serves Prometheus text whose task counts follow a service', async () => {
    await until('leadership', async () =>
      sampleValue(await scrape(), 'flotilla_manager_leader') === 1 ? true : undefined,
    );
    const before = await scrape();
    expect(before.types.get('flotilla_tasks')).toBe('gauge');
    expect(before.types.get('flotilla_reconcile_pass_duration_seconds')).toBe('histogram');
    const c = cli(
      env,
      'service',
      'create',
      '-d',
      '--name',
      'metered',
      '--replicas',
      '3',
      'busybox',
    );
    expect(c.status, c.stderr).toBe(0);
    // No agents: the three tasks wait in pending, and the metric says so.
    await until('three pending tasks', async () =>
      sampleValue(await scrape(), 'flotilla_tasks', { service: 'metered', state: 'pending' }) === 3
        ? true
        : undefined,
    );
    const p = await scrape();
    expect(sampleValue(p, 'flotilla_etcd_txn_duration_seconds_count')).toBeGreaterThan(0);
    expect(
      sampleValue(p, 'flotilla_api_request_duration_seconds_count', {
        method: 'POST',
        route: '/services',
      }),
    ).toBe(1);
    expect(
      sampleValue(p, 'flotilla_reconcile_pass_duration_seconds_count', {
        loop: 'orchestration pass',
      }),
    ).toBeGreaterThan(0);
    expect(cli(env, 'service', 'rm', 'metered').status).toBe(0);
    await until('no tasks of the removed service', async () =>
      sampleValue(await scrape(), 'flotilla_tasks', { service: 'metered' }) === 0
        ? true
        : undefined,
    );
  });

  it('streams cluster events through the CLI context, filtered and windowed', async () => {
    const since = String(Date.now() / 1000 - 600);
    const until = String(Date.now() / 1000 + 1);
    await new Promise((r) => setTimeout(r, 1100));
    const r = cli(
      env,
      'events',
      '--since',
      since,
      '--until',
      until,
      '--filter',
      'type=service',
      '--filter',
      'service=metered',
    );
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^\S+Z service create \w+ \(name=metered\)$/);
    expect(lines.at(-1)).toMatch(/^\S+Z service remove \w+ \(name=metered\)$/);
    expect(lines.every((l) => / service /.test(l))).toBe(true);
    const json = cli(env, 'events', '--since', since, '--until', until, '--format', '{{json .}}');
    const types = json.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { Type: string }).Type);
    expect(new Set(types)).toEqual(new Set(['service', 'task']));
    const bad = cli(env, 'events', '--until', until, '--filter', 'colour=red');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("invalid filter 'colour'");
  });
});
