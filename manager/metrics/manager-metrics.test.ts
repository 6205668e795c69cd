import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../shared/metrics/index.js';
import { parsePrometheusText, sampleValue } from '../../test/harness/prometheus-text.js';
import { InMemoryObjectStore } from '../store/index.js';
import { nodeFixture, serviceFixture, taskFixture } from '../store/fixtures.js';
import { ManagerMetrics } from './manager-metrics.js';

async function scrape(m: ManagerMetrics) {
  return parsePrometheusText(await m.registry.metrics());
}

describe('ManagerMetrics', () => {
  it('counts tasks by service and state and nodes by state when scraped', async () => {
    const store = new InMemoryObjectStore();
    const web = serviceFixture('web');
    await store.update((tx) => {
      tx.create('service', web);
      tx.create('node', nodeFixture({ id: 'n1' }));
      for (const slot of [1, 2, 3]) {
        const t = taskFixture(web, slot, { id: `t${slot}` });
        t.status = { ...t.status, state: slot === 3 ? 'pending' : 'running' };
        tx.create('task', t);
      }
    });
    const m = new ManagerMetrics({
      registry: createMetricsRegistry('manager'),
      store,
      isLeader: () => true,
      sessions: () => 4,
    });
    let p = await scrape(m);
    expect(p.types.get('flotilla_tasks')).toBe('gauge');
    expect(sampleValue(p, 'flotilla_tasks', { service: 'web', state: 'running' })).toBe(2);
    expect(sampleValue(p, 'flotilla_tasks', { service: 'web', state: 'pending' })).toBe(1);
    expect(sampleValue(p, 'flotilla_nodes', { state: 'ready' })).toBe(1);
    expect(sampleValue(p, 'flotilla_agent_sessions')).toBe(4);
    expect(sampleValue(p, 'flotilla_manager_leader')).toBe(1);
    // The counts follow the store: a removed task disappears from the next scrape.
    await store.update((tx) => tx.delete('task', 't1'));
    p = await scrape(m);
    expect(sampleValue(p, 'flotilla_tasks', { service: 'web', state: 'running' })).toBe(1);
  });

  it('observes each task’s scheduling latency once, when it is first seen assigned', async () => {
    const store = new InMemoryObjectStore();
    const web = serviceFixture('web');
    const m = new ManagerMetrics({
      registry: createMetricsRegistry('manager'),
      store,
      isLeader: () => true,
    });
    const createdMs = Date.parse('2026-01-01T00:00:00Z');
    const stop = m.followAssignments(() => createdMs + 2000);
    const t = taskFixture(web, 1, { id: 'a', createdAt: new Date(createdMs).toISOString() });
    t.status = { ...t.status, state: 'pending' };
    delete t.nodeId;
    await store.update((tx) => tx.create('task', t));
    const placed = { ...store.get('task', 'a')!, nodeId: 'n1' };
    placed.status = { ...placed.status, state: 'assigned' };
    await store.update((tx) => tx.update('task', placed));
    // Another write while still assigned (a message change) is not a second assignment.
    await store.update((tx) => {
      const again = tx.get('task', 'a')!;
      again.status = { ...again.status, message: 'still assigned' };
      tx.update('task', again);
    });
    stop();
    const p = await scrape(m);
    expect(sampleValue(p, 'flotilla_task_scheduling_latency_seconds_count')).toBe(1);
    expect(sampleValue(p, 'flotilla_task_scheduling_latency_seconds_sum')).toBe(2);
  });

  it('records pass durations, transactions, conflicts, heartbeat lateness and API requests', async () => {
    const m = new ManagerMetrics({
      registry: createMetricsRegistry('manager'),
      store: new InMemoryObjectStore(),
      isLeader: () => false,
    });
    m.onPass('scheduling pass', 12, true);
    m.onPass('scheduling pass', 30, false);
    m.onCommit(3, 'committed');
    m.onCommit(4, 'conflict');
    m.onHeartbeatGap(7000, 5000);
    m.onHeartbeatGap(4000, 5000);
    m.onApiRequest('POST', '/services', 201, 15);
    m.onLeadershipChange();
    const p = await scrape(m);
    const pass = 'flotilla_reconcile_pass_duration_seconds_count';
    expect(sampleValue(p, pass, { loop: 'scheduling pass', result: 'ok' })).toBe(1);
    expect(sampleValue(p, pass, { loop: 'scheduling pass', result: 'failed' })).toBe(1);
    expect(sampleValue(p, 'flotilla_etcd_txn_conflicts_total')).toBe(1);
    expect(sampleValue(p, 'flotilla_etcd_txn_duration_seconds_count')).toBe(2);
    expect(sampleValue(p, 'flotilla_heartbeat_lateness_seconds_sum')).toBe(2);
    expect(
      sampleValue(p, 'flotilla_api_request_duration_seconds_count', {
        method: 'POST',
        route: '/services',
        status: '201',
      }),
    ).toBe(1);
    expect(sampleValue(p, 'flotilla_leader_changes_total')).toBe(1);
    expect(sampleValue(p, 'flotilla_manager_leader')).toBe(0);
    // prom-client's process metrics are there too.
    expect(p.types.get('flotilla_process_cpu_seconds_total')).toBe('counter');
  });
});
