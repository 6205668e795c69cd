// deploy/monitoring/stack.yml deployed on the three-machine test cluster: the manager and the
// agents run with --metrics-addr on their LAN addresses, Prometheus (the stack's prometheus
// service) scrapes all four through a prometheus.yml shaped like deploy/monitoring/prometheus.yml,
// and the test asks it over the published port 9090 (routing mesh, any machine) which targets are
// up and what the Flotilla metrics say.
//
// What differs from the file as shipped, and why: there is no Docker Hub here, so
// - prometheus's image is built by the test from Debian's `prometheus` package (2.42, not
//   upstream's v2.53: test/harness/prometheus-image.ts; the binary, its ldd libraries, upstream's
//   ENTRYPOINT/CMD/USER/VOLUME) and pushed to the cluster's registry;
// - grafana's image points at a repository the registry does not have: the service is deployed as
//   written (its secret, its three configs, its volume and port 3000), but its tasks are refused at
//   the pull, so nothing here shows Grafana running or the dashboard rendering.
// Everything else is the file as written: the config from a file as a Flotilla config, the named
// volume, the published port, the manager-only placement (m1's node is promoted first, as the
// README tells operators to promote the machines that run a manager), the memory limit.
//
// Root only. Its own names (flm, 10.86.0).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { buildPrometheusImage } from '../harness/prometheus-image.js';
import { Cluster, jsonLines, repo, useCluster, waitFor } from './cluster-harness.js';

const isRoot = process.getuid?.() === 0;
const monitoring = join(repo, 'deploy', 'monitoring');
const managerMetrics = (c: Cluster) => `${c.addr(1)}:9323`;
const agentMetrics = (c: Cluster, i: number) => `${c.addr(i)}:9324`;

interface Target {
  labels: { job: string; instance: string };
  health: string;
  lastError: string;
}
interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** GET a Prometheus API path on machine I's published port 9090; throws unless status success. */
async function promApi<T>(c: Cluster, i: number, path: string): Promise<T> {
  const res = await fetch(`http://${c.addr(i)}:9090${path}`, {
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? res.status}`);
  return body.data;
}

/** An instant PromQL query through machine I: the samples of the result vector. */
async function query(c: Cluster, i: number, promql: string): Promise<Sample[]> {
  const data = await promApi<{ resultType: string; result: Sample[] }>(
    c,
    i,
    `/api/v1/query?query=${encodeURIComponent(promql)}`,
  );
  if (data.resultType !== 'vector') throw new Error(`${promql}: a ${data.resultType}`);
  return data.result;
}

/** The single value of PROMQL's result, or undefined while it has no sample. */
async function scalarOf(c: Cluster, i: number, promql: string): Promise<number | undefined> {
  const r = await query(c, i, promql);
  return r.length === 1 ? Number(r[0].value[1]) : undefined;
}

describe.runIf(isRoot)('the monitoring stack on the cluster', () => {
  const lan = '10.86.0';
  const c = new Cluster({
    prefix: 'flm',
    lan,
    // Plain HTTP on each machine's LAN address, where the Prometheus container reaches them.
    managerArgs: (k) => ['--metrics-addr', managerMetrics(k)],
    agentArgs: (k, i) => ['--metrics-addr', agentMetrics(k, i)],
    // The manager pins the stack's images to digests, as for any deploy.
    insecureRegistries: [`${lan}.11:5000`],
  });
  useCluster(c);
  const promImage = () => c.image('prometheus:2.42');
  const grafanaImage = () => c.image('grafana-not-available-offline:11.1.0');

  /** The stack directory: the shipped files, the stack file with the two images swapped. */
  function writeStackDir(): string {
    const dir = join(c.dir, 'monitoring');
    mkdirSync(dir, { recursive: true });
    for (const f of ['grafana-datasource.yml', 'grafana-dashboards.yml', 'grafana-dashboard.json'])
      copyFileSync(join(monitoring, f), join(dir, f));

    // The shipped scrape config with this cluster's targets, scraped every 5 s instead of 15 s.
    const scrape = parse(readFileSync(join(monitoring, 'prometheus.yml'), 'utf8')) as {
      global: { scrape_interval: string };
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    scrape.global.scrape_interval = '5s';
    const targets: Record<string, string[]> = {
      'flotilla-managers': [managerMetrics(c)],
      'flotilla-agents': c.machines.map((i) => agentMetrics(c, i)),
    };
    expect(scrape.scrape_configs.map((j) => j.job_name).sort()).toEqual(
      Object.keys(targets).sort(),
    );
    for (const job of scrape.scrape_configs)
      job.static_configs = [{ targets: targets[job.job_name] }];
    writeFileSync(join(dir, 'prometheus.yml'), stringify(scrape));

    const shipped = readFileSync(join(monitoring, 'stack.yml'), 'utf8');
    const swapped = shipped
      .replace(/^( {4}image: )prom\/prometheus:\S+$/m, `$1${promImage()}`)
      .replace(/^( {4}image: )grafana\/grafana:\S+$/m, `$1${grafanaImage()}`);
    // Exactly two lines changed: the two image references.
    const changed = shipped.split('\n').filter((l, n) => l !== swapped.split('\n')[n]);
    expect(changed).toEqual([
      expect.stringMatching(/image: prom\/prometheus:/),
      expect.stringMatching(/image: grafana\/grafana:/),
    ]);
    writeFileSync(join(dir, 'stack.yml'), swapped);
    return dir;
  }

  it("deploys the stack file with Prometheus from Debian's package: every manager and agent target is up", async () => {
    const { image, version } = await buildPrometheusImage();
    expect(version).toMatch(/^prometheus, version 2\./);
    await c.push('e2e/prometheus', '2.42', image);

    // The file's placement is `node.role == manager`: m1 runs the manager.
    const promote = await c.flt('node', 'promote', c.ns(1));
    expect(promote.code, promote.output).toBe(0);
    const dir = writeStackDir();
    // The external secret the file names, created as its comment says (from a file here; a
    // retry of this test finds it made).
    writeFileSync(join(dir, 'grafana_admin_password'), 'a-long-password', { mode: 0o600 });
    const secrets = await c.flt('secret', 'ls', '--format', '{{.Name}}');
    if (!secrets.stdout.split('\n').includes('grafana_admin_password')) {
      const secret = await c.flt(
        'secret',
        'create',
        'grafana_admin_password',
        join(dir, 'grafana_admin_password'),
      );
      expect(secret.code, secret.output).toBe(0);
    }

    const d = await c.flt('stack', 'deploy', '-d', '-c', join(dir, 'stack.yml'), 'monitoring');
    expect(d.code, d.output).toBe(0);
    const [task] = await c.converged('monitoring_prometheus', 1);
    expect(task.nodeId).toBe(await c.nodeIdOf(1));

    // Every target up, asked through a machine that does not run Prometheus (routing mesh).
    const targets = await waitFor(
      'Prometheus to scrape the manager and three agents',
      async () => {
        const t = await promApi<{ activeTargets: Target[] }>(c, 2, '/api/v1/targets');
        return t.activeTargets.length === 4 && t.activeTargets.every((x) => x.health === 'up')
          ? t.activeTargets
          : undefined;
      },
      120_000,
      async () =>
        JSON.stringify(
          (await promApi<{ activeTargets: Target[] }>(c, 2, '/api/v1/targets')).activeTargets.map(
            (x) => [x.labels.instance, x.health, x.lastError],
          ),
        ),
    );
    expect(targets.map((t) => `${t.labels.job} ${t.labels.instance}`).sort()).toEqual(
      [
        `flotilla-managers ${managerMetrics(c)}`,
        ...c.machines.map((i) => `flotilla-agents ${agentMetrics(c, i)}`),
      ].sort(),
    );
    // The same in PromQL, through each machine in turn.
    for (const i of c.machines) {
      const up = await query(c, i, 'up');
      expect(up.map((s) => [s.metric.instance, s.value[1]]).sort()).toEqual(
        [managerMetrics(c), ...c.machines.map((k) => agentMetrics(c, k))]
          .map((x) => [x, '1'])
          .sort(),
      );
    }

    // The manager's count of Prometheus's own task, and the nodes, as Prometheus stored them.
    await waitFor('the manager metrics to count the running prometheus task', async () => {
      const running = await scalarOf(
        c,
        3,
        'flotilla_tasks{service="monitoring_prometheus",desired_state="running",state="running"}',
      );
      return running === 1;
    });
    expect(await scalarOf(c, 3, 'sum(flotilla_nodes{state="ready"})')).toBe(3);
    expect(await scalarOf(c, 3, 'sum(flotilla_nodes{role="manager"})')).toBe(1);
    expect(await scalarOf(c, 3, 'sum(flotilla_agent_session{state="connected"})')).toBe(3);

    // The data volume as written: a named volume at /prometheus, seeded from the image (owned by
    // nobody, as Prometheus runs), holding the TSDB.
    const [name] = await c.containersOn(1, 'monitoring_prometheus');
    const ls = await c.fltOn(1, 'exec', name, 'ls', '-n', '-d', '/prometheus', '/prometheus/wal');
    expect(ls.code, ls.output).toBe(0);
    expect(ls.stdout).toMatch(/^d\S+\s+\d+\s+65534\s+65534 .*\/prometheus$/m);
    const vols = await c.fltOn(1, 'volume', 'ls', '--format', '{{.Name}}');
    expect(vols.stdout.split('\n')).toContain('monitoring_prometheus');
    // The config came through Flotilla's config mechanism.
    const cfg = await c.fltOn(1, 'exec', name, 'cat', '/etc/prometheus/prometheus.yml');
    expect(cfg.stdout).toBe(readFileSync(join(dir, 'prometheus.yml'), 'utf8'));
    // Grafana's data source URL (http://prometheus:9090, the service name on the stack's network)
    // answers from inside the stack.
    const ds = await c.fltOn(1, 'exec', name, 'wget', '-qO-', 'http://prometheus:9090/-/ready');
    expect(ds.code, ds.output).toBe(0);
  });

  let attempt = 0;
  it('answers PromQL on port 9090 with the counts of a new service', async () => {
    // A name per attempt: a retry must not trip over the first attempt's service.
    const service = `counted${++attempt}`;
    const running = 'sum(flotilla_containers{state="running"})';
    const before = await scalarOf(c, 2, running);
    expect(before).toBeGreaterThanOrEqual(1);
    const r = await c.flt(
      'service',
      'create',
      '-d',
      '--name',
      service,
      '--replicas',
      '3',
      c.image('web:v1'),
    );
    expect(r.code, r.output).toBe(0);
    await c.converged(service, 3);
    await waitFor(
      'Prometheus to see 3 more running containers and 3 running tasks',
      async () =>
        (await scalarOf(c, 2, running)) === before! + 3 &&
        (await scalarOf(c, 2, `sum(flotilla_tasks{service="${service}",state="running"})`)) === 3,
      120_000,
    );
    expect((await c.flt('service', 'rm', service)).code).toBe(0);
    await waitFor(
      'Prometheus to see them gone',
      async () => (await scalarOf(c, 2, running)) === before,
      120_000,
    );
  });

  it("deploys grafana's secret and configs, but its tasks fail offline on the missing image", async () => {
    const configs = await c.flt('config', 'ls', '--format', '{{.Name}}');
    expect(configs.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'monitoring_grafana_dashboards',
      'monitoring_grafana_datasource',
      'monitoring_grafana_flotilla_dashboard',
      'monitoring_prometheus_config',
    ]);
    const failed = await waitFor('a grafana task refused at the pull', async () => {
      const r = await c.flt('service', 'ps', 'monitoring_grafana', '--format', 'json');
      return jsonLines<{ status: { state: string; err?: string } }>(r.stdout).find((t) =>
        ['rejected', 'failed'].includes(t.status.state),
      );
    });
    expect(failed.status.err ?? '').toMatch(/grafana-not-available-offline/);
  });
});
