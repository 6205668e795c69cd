// The Grafana dashboard in deploy/monitoring only plots metrics that the manager and the agent
// register: a renamed metric fails here instead of leaving an empty panel.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentMetrics } from '../../../agent/metrics/index.js';
import { createMetricsRegistry } from '../../../shared/metrics/index.js';
import { parsePrometheusText } from '../../harness/prometheus-text.js';
import { InMemoryObjectStore } from '../../../manager/store/index.js';
import { ManagerMetrics } from '../../../manager/metrics/index.js';

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
});
