// The Grafana dashboard in deploy/monitoring only plots metrics that the manager and the agent
// register: a renamed metric fails here instead of leaving an empty panel.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AgentMetrics } from '../../../agent/metrics/index.js';
import { createMetricsRegistry } from '../../../shared/metrics/index.js';
import { parsePrometheusText } from '../../harness/prometheus-text.js';
import { InMemoryObjectStore } from '../../../manager/store/index.js';
import { ManagerMetrics } from '../../../manager/metrics/index.js';
import { loadStack } from '../../../shared/stack/index.js';

const dashboard = JSON.parse(
  readFileSync(
    new URL('../../../deploy/monitoring/grafana-dashboard.json', import.meta.url),
    'utf8',
  ),
) as { panels: { title: string; targets: { expr: string }[] }[] };

/** Series names a family exposes (histograms add _bucket, _sum, _count). */
async function exposedNames(): Promise<Set<string>> {
  const manager = new ManagerMetrics({
    registry: createMetricsRegistry('manager'),
    store: new InMemoryObjectStore(),
    isLeader: () => true,
  });
  const agent = new AgentMetrics(createMetricsRegistry('agent'), { list: async () => [] });
  const names = new Set<string>();
  for (const m of [manager.registry, agent.registry]) {
    const p = parsePrometheusText(await m.metrics());
    for (const [family, type] of p.types) {
      names.add(family);
      if (type === 'histogram')
        for (const s of ['_bucket', '_sum', '_count']) names.add(family + s);
    }
  }
  return names;
}

describe('deploy/monitoring/grafana-dashboard.json', () => {
  it('plots only metrics that exist', async () => {
    const names = await exposedNames();
    const used = dashboard.panels.flatMap((p) =>
      p.targets.flatMap((t) => t.expr.match(/flotilla_[a-z_]+/g) ?? []),
    );
    expect(used.length).toBeGreaterThan(15);
    expect(used.filter((n) => !names.has(n))).toEqual([]);
  });

  it('is provisioned by the monitoring stack file, which deploys as it is', () => {
    const file = fileURLToPath(new URL('../../../deploy/monitoring/stack.yml', import.meta.url));
    const stack = loadStack('monitoring', [file]);
    expect(stack.warnings).toEqual([]);
    expect(stack.services.map((s) => s.name).sort()).toEqual([
      'monitoring_grafana',
      'monitoring_prometheus',
    ]);
    const configs = stack.configs.filter((c) => !c.external);
    for (const c of configs) expect(existsSync(c.file!), c.file).toBe(true);
    expect(configs.map((c) => c.file!.split('/').at(-1))).toContain('grafana-dashboard.json');
    // The data source the provisioning creates is the kind the dashboard's variable asks for.
    const vars = (
      dashboard as unknown as { templating: { list: { type: string; query: string }[] } }
    ).templating.list;
    expect(vars.find((v) => v.type === 'datasource')?.query).toBe('prometheus');
    const ds = readFileSync(
      new URL('../../../deploy/monitoring/grafana-datasource.yml', import.meta.url),
      'utf8',
    );
    expect(ds).toMatch(/type: prometheus/);
  });
});
