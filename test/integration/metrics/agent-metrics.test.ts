// An agent started with --metrics-addr, driven through the CLI: /metrics parses as Prometheus text,
// its container counts follow `run -d` and `rm -f`, and the start and remove it did are timed.
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../manager/etcd/index.js';
import { sampleValue, scrapeMetrics } from '../../harness/prometheus-text.js';
import { TestAgent, useTestAgent, waitFor } from '../runtime/harness.js';

const metricsAddr = `127.0.0.1:${await freePort()}`;
const agent = new TestAgent(['--metrics-addr', metricsAddr]);
useTestAgent(agent);

const scrape = () => scrapeMetrics(metricsAddr);

describe('agent metrics', () => {
  it('counts containers by state and times their start and removal', async () => {
    const before = await scrape();
    expect(before.types.get('flotilla_containers')).toBe('gauge');
    const running = sampleValue(before, 'flotilla_containers', { state: 'running' });
    const r = await agent.cli(['run', '-d', '--network', 'none', 'busybox', 'sleep', '300']);
    expect(r.status, r.stderr).toBe(0);
    const id = r.stdout.trim();
    await waitFor('one more running container', async () =>
      sampleValue(await scrape(), 'flotilla_containers', { state: 'running' }) === running + 1
        ? true
        : undefined,
    );
    const op = 'flotilla_container_operation_duration_seconds_count';
    expect(sampleValue(await scrape(), op, { operation: 'start', result: 'ok' })).toBeGreaterThan(
      0,
    );
    expect((await agent.cli(['rm', '-f', id])).status).toBe(0);
    const after = await scrape();
    expect(sampleValue(after, 'flotilla_containers', { state: 'running' })).toBe(running);
    expect(sampleValue(after, op, { operation: 'remove', result: 'ok' })).toBeGreaterThan(0);
  });
});
