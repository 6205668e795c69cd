// Seeing the cluster, on the three-machine test cluster: /metrics of the manager and of every
// agent parse as Prometheus text (a parser, not a grep) and follow tasks as they start and stop;
// `flotilla events --filter type=service` shows a service's create and remove; and the web
// dashboard, driven in Debian's headless Chromium by puppeteer-core, renders the cluster, scales a
// service, drains a node with tasks moving and rolls the scale back, saving screenshots to
// docs/img/ for the README.
//
// Root only (Chromium runs with --no-sandbox as root). Its own names (fld, 10.92.0).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleValue, scrapeMetrics, type ParsedMetrics } from '../harness/prometheus-text.js';
import { Cluster, jsonLines, repo, useCluster, waitFor } from './cluster-harness.js';

const isRoot = process.getuid?.() === 0;
const chromium = '/usr/bin/chromium';
const shots = join(repo, 'docs', 'img');
mkdirSync(shots, { recursive: true });
const managerMetrics = (c: Cluster) => `${c.addr(1)}:9323`;
const agentMetrics = (c: Cluster, i: number) => `${c.addr(i)}:9324`;

/** Running containers counted by every agent's /metrics. */
async function runningContainers(c: Cluster): Promise<number> {
  let n = 0;
  for (const i of c.machines)
    n += sampleValue(await scrapeMetrics(agentMetrics(c, i)), 'flotilla_containers', {
      state: 'running',
    });
  return n;
}

describe.runIf(isRoot && existsSync(chromium))('seeing the cluster', () => {
  const c = new Cluster({
    prefix: 'fld',
    lan: '10.92.0',
    // Plain HTTP on each machine's LAN address: the test scrapes them from the host.
    managerArgs: (k) => ['--metrics-addr', managerMetrics(k)],
    agentArgs: (k, i) => ['--metrics-addr', agentMetrics(k, i)],
  });
  useCluster(c);
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  it('serves /metrics on the manager and agents that follow tasks, and service events', async () => {
    await undoEarlierAttempt(c, 'metered');
    const started = Date.now() / 1000;
    const m0: ParsedMetrics = await scrapeMetrics(managerMetrics(c));
    expect(m0.types.get('flotilla_tasks')).toBe('gauge');
    expect(sampleValue(m0, 'flotilla_nodes', { state: 'ready' })).toBe(3);
    expect(sampleValue(m0, 'flotilla_agent_sessions')).toBe(3);
    for (const i of c.machines) {
      const a = await scrapeMetrics(agentMetrics(c, i));
      expect(a.types.get('flotilla_containers')).toBe('gauge');
      expect(sampleValue(a, 'flotilla_agent_session', { state: 'connected' })).toBe(1);
    }
    const before = await runningContainers(c);

    const r = await c.flt(
      'service',
      'create',
      '-d',
      '--name',
      'metered',
      '--replicas',
      '3',
      c.image('web:v1'),
    );
    expect(r.code, r.output).toBe(0);
    await c.converged('metered', 3);
    await waitFor('metrics to count 3 running tasks and containers', async () => {
      const m = await scrapeMetrics(managerMetrics(c));
      const tasks = sampleValue(m, 'flotilla_tasks', { service: 'metered', state: 'running' });
      return tasks === 3 && (await runningContainers(c)) === before + 3;
    });
    // Every start was timed: one per replica, across the agents.
    let starts = 0;
    for (const i of c.machines)
      starts += sampleValue(
        await scrapeMetrics(agentMetrics(c, i)),
        'flotilla_container_operation_duration_seconds_count',
        { operation: 'start', result: 'ok' },
      );
    expect(starts).toBeGreaterThanOrEqual(3);

    expect((await c.flt('service', 'rm', 'metered')).code).toBe(0);
    await waitFor('metrics to count the tasks and containers gone', async () => {
      const m = await scrapeMetrics(managerMetrics(c));
      const tasks = sampleValue(m, 'flotilla_tasks', { service: 'metered' });
      return tasks === 0 && (await runningContainers(c)) === before;
    });

    const ev = await c.flt(
      'events',
      '--since',
      String(Math.floor(started)),
      '--until',
      String(Math.ceil(Date.now() / 1000) + 1),
      '--filter',
      'type=service',
      '--format',
      '{{json .}}',
    );
    expect(ev.code, ev.output).toBe(0);
    const events = jsonLines<{
      Type: string;
      Action: string;
      Actor: { Attributes: { name: string } };
    }>(ev.stdout);
    expect(events.every((e) => e.Type === 'service')).toBe(true);
    const mine = events.filter((e) => e.Actor.Attributes.name === 'metered').map((e) => e.Action);
    expect(mine[0]).toBe('create');
    expect(mine.at(-1)).toBe('remove');
  });

  it('renders the cluster in the dashboard, scales a service, drains a node and rolls back from it', async () => {
    await undoEarlierAttempt(c, 'viz');
    const ticker = 'while true; do echo "tick from $(hostname)"; sleep 2; done';
    const r = await c.flt(
      'service',
      'create',
      '-d',
      '--name',
      'viz',
      '--replicas',
      '3',
      c.image('web:v1'),
      'sh',
      '-c',
      ticker,
    );
    expect(r.code, r.output).toBe(0);
    await c.converged('viz', 3);

    const url = await c.flt('dashboard', '--url');
    expect(url.code, url.output).toBe(0);
    expect(url.stdout.trim().startsWith(`https://${c.addr(1)}:4243/dashboard/login?token=`)).toBe(
      true,
    );
    await browser?.close();
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      // Root: no sandbox. The manager's certificate is signed by the cluster's own CA.
      args: ['--no-sandbox', '--ignore-certificate-errors'],
      acceptInsecureCerts: true,
      defaultViewport: { width: 1280, height: 900 },
    });
    const page = await browser.newPage();
    await page.goto(url.stdout.trim(), { waitUntil: 'domcontentloaded' });
    expect(new URL(page.url()).pathname).toBe('/dashboard/');

    // The cluster as the page draws it: three ready nodes, the service at 3/3, a task per node.
    await waitText(page, 'tr[data-service="viz"] td.replicas', '3/3');
    for (const i of c.machines) {
      await waitText(page, `tr[data-node="${c.ns(i)}"] td.state`, 'ready');
      await waitCount(
        page,
        `.viz-node[data-node="${c.ns(i)}"] .viz-task[data-service="viz"][data-state="running"]`,
        1,
      );
    }
    await page.screenshot({ path: join(shots, 'dashboard-cluster.png'), fullPage: true });

    // The logs panel follows the service's lines from every node.
    await page.click('tr[data-service="viz"] button.logs');
    await page.waitForFunction(
      () =>
        /tick from/.test(
          (globalThis as any).document.getElementById('logs-lines')?.textContent ?? '',
        ),
      { timeout: 60_000 },
    );
    await page.click('#logs-close');

    // Scale 3 → 5 through the confirmation dialog.
    await page.click('tr[data-service="viz"] button.scale');
    await page.waitForSelector('dialog#confirm[open]');
    await page.$eval('#confirm-number', (el) => ((el as unknown as { value: string }).value = '5'));
    await page.click('#confirm-ok');
    await waitFor('the service at 5 replicas', async () => {
      const s = await c.flt('service', 'inspect', 'viz');
      return JSON.parse(s.stdout)[0].spec.mode.replicated.replicas === 5;
    });
    await c.converged('viz', 5);
    await waitText(page, 'tr[data-service="viz"] td.replicas', '5/5');
    await page.screenshot({ path: join(shots, 'dashboard-scaled.png'), fullPage: true });

    // Drain machine 3: its tasks leave it and run on the other two.
    const drained = c.ns(3);
    const drainedId = await c.nodeIdOf(3);
    const onDrained = (await c.running('viz')).filter((t) => t.nodeId === drainedId);
    expect(onDrained.length).toBeGreaterThan(0);
    await page.click(`tr[data-node="${drained}"] button.drain`);
    await page.waitForSelector('dialog#confirm[open]');
    await page.click('#confirm-ok');
    await waitText(page, `tr[data-node="${drained}"] td.avail`, 'drain');
    await waitCount(page, `.viz-node[data-node="${drained}"] .viz-task[data-service="viz"]`, 0);
    const spread = await waitFor('viz off the drained node', async () => {
      await c.converged('viz', 5);
      const s = await c.spread('viz');
      return s[drained] === undefined ? s : undefined;
    });
    expect(Object.values(spread).reduce((a, b) => a + b, 0)).toBe(5);
    for (const i of [1, 2])
      await waitCount(
        page,
        `.viz-node[data-node="${c.ns(i)}"] .viz-task[data-service="viz"][data-state="running"]`,
        spread[c.ns(i)] ?? 0,
      );
    await page.screenshot({ path: join(shots, 'dashboard-drained.png'), fullPage: true });

    // And back: activate from the page.
    await page.click(`tr[data-node="${drained}"] button.active`);
    await page.waitForSelector('dialog#confirm[open]');
    await page.click('#confirm-ok');
    await waitFor('node active again', async () => {
      const n = (await c.nodes()).find((x) => x.description.hostname === drained);
      return n?.spec.availability === 'active';
    });

    // Roll the scale back from the page: the previous spec had 3 replicas.
    await page.click('tr[data-service="viz"] button.rollback');
    await page.waitForSelector('dialog#confirm[open]');
    await page.click('#confirm-ok');
    const rolled = await waitFor('the service rolled back to 3 replicas', async () => {
      const s = JSON.parse((await c.flt('service', 'inspect', 'viz')).stdout)[0];
      return s.spec.mode.replicated.replicas === 3 ? s : undefined;
    });
    expect(rolled.updateStatus.state).toMatch(/^rollback_/);
    await c.converged('viz', 3);
    await waitText(page, 'tr[data-service="viz"] td.replicas', '3/3');
  });
});

/**
 * vitest retries a failed test once, on the same cluster: the first attempt may have left its
 * service (`service create` would then say the name exists) and machine 3 drained. Undoes both, so
 * that the retry starts where the first attempt did (and the screenshots keep their names).
 */
async function undoEarlierAttempt(c: Cluster, service: string): Promise<void> {
  if ((await c.flt('service', 'inspect', service)).code === 0) {
    const rm = await c.flt('service', 'rm', service);
    expect(rm.code, rm.output).toBe(0);
    // Task containers are named `<service>.<slot>.<task id>`; the running counts need them gone.
    await waitFor(`the earlier ${service}'s containers gone`, async () => {
      for (const i of c.machines) {
        const ps = await c.fltOn(i, 'ps', '--format', '{{.Names}}');
        if (ps.code !== 0 || ps.stdout.split('\n').some((n) => n.startsWith(`${service}.`)))
          return false;
      }
      return true;
    });
  }
  const third = (await c.nodes()).find((n) => n.description.hostname === c.ns(3));
  if (third && third.spec.availability !== 'active') {
    const up = await c.flt('node', 'update', '--availability', 'active', c.ns(3));
    expect(up.code, up.output).toBe(0);
  }
}

async function waitText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    (sel: string, want: string) =>
      (globalThis as any).document.querySelector(sel)?.textContent?.trim() === want,
    { timeout: 120_000 },
    selector,
    text,
  );
}

async function waitCount(page: Page, selector: string, n: number): Promise<void> {
  await page.waitForFunction(
    (sel: string, want: number) =>
      (globalThis as any).document.querySelectorAll(sel).length === want,
    { timeout: 120_000 },
    selector,
    n,
  );
}
