import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../shared/metrics/index.js';
import { parsePrometheusText, sampleValue } from '../../test/harness/prometheus-text.js';
import type { ImageService, ProgressEvent } from '../image/index.js';
import type { ContainerSummary } from '../runtime/index.js';
import { AgentMetrics } from './agent-metrics.js';

const summaries = (states: string[]) =>
  states.map((state, i) => ({ id: `c${i}`, state }) as unknown as ContainerSummary);

async function scrape(m: AgentMetrics) {
  return parsePrometheusText(await m.registry.metrics());
}

describe('AgentMetrics', () => {
  it('counts containers by state when scraped, and the session state', async () => {
    let states = ['running', 'running', 'exited'];
    const m = new AgentMetrics(createMetricsRegistry('agent'), {
      list: async () => summaries(states),
    });
    m.sessionState = () => 'connected';
    let p = await scrape(m);
    expect(sampleValue(p, 'flotilla_containers', { state: 'running' })).toBe(2);
    expect(sampleValue(p, 'flotilla_containers', { state: 'exited' })).toBe(1);
    expect(sampleValue(p, 'flotilla_agent_session', { state: 'connected' })).toBe(1);
    states = ['exited'];
    p = await scrape(m);
    expect(sampleValue(p, 'flotilla_containers', { state: 'running' })).toBe(0);
  });

  it('times runtime operations and passes their results and errors through', async () => {
    const m = new AgentMetrics(createMetricsRegistry('agent'), { list: async () => [] });
    const runtime = {
      prefix: 'x',
      async start(id: string) {
        return `${this.prefix}-${id}`;
      },
      async remove(): Promise<void> {
        throw new Error('no such container');
      },
      name() {
        return this.prefix;
      },
    };
    const timed = m.instrumentRuntime(runtime);
    expect(await timed.start('a')).toBe('x-a');
    await expect(timed.remove()).rejects.toThrow('no such container');
    expect(timed.name()).toBe('x');
    const p = await scrape(m);
    const name = 'flotilla_container_operation_duration_seconds_count';
    expect(sampleValue(p, name, { operation: 'start', result: 'ok' })).toBe(1);
    expect(sampleValue(p, name, { operation: 'remove', result: 'error' })).toBe(1);
  });

  it('counts pulled bytes and times layer unpacks from the pull’s progress events', async () => {
    const m = new AgentMetrics(createMetricsRegistry('agent'), { list: async () => [] });
    const seen: ProgressEvent[] = [];
    const images = {
      async pull(_name: string, opts: { onProgress?: (e: ProgressEvent) => void } = {}) {
        const emit = opts.onProgress!;
        const id = 'l10000000000';
        emit({ id, status: 'Downloading', progress: { current: 0, total: 1000 } });
        emit({ id, status: 'Download complete' });
        emit({ id, status: 'Extracting' });
        emit({ id, status: 'Pull complete' });
        return {
          ref: 'x',
          record: { layers: [{ digest: 'sha256:l1' + '0'.repeat(62), sizeBytes: 3000 }] },
        } as never;
      },
    } as unknown as Pick<ImageService, 'pull'>;
    await m.instrumentImages(images).pull('x', { onProgress: (e) => seen.push(e) });
    expect(seen.map((e) => e.status)).toEqual([
      'Downloading',
      'Download complete',
      'Extracting',
      'Pull complete',
    ]);
    const p = await scrape(m);
    expect(sampleValue(p, 'flotilla_image_pull_bytes_total')).toBe(1000);
    expect(sampleValue(p, 'flotilla_layer_unpack_duration_seconds_count')).toBe(1);
    expect(sampleValue(p, 'flotilla_layer_unpack_bytes_total')).toBe(3000);
    expect(sampleValue(p, 'flotilla_image_pull_duration_seconds_count', { result: 'ok' })).toBe(1);
  });

  it('times every health probe by result and counts only status changes', async () => {
    const m = new AgentMetrics(createMetricsRegistry('agent'), { list: async () => [] });
    const runs: [number, string, string][] = [
      [0, 'starting', 'healthy'],
      [0, 'healthy', 'healthy'],
      [1, 'healthy', 'healthy'],
      [1, 'healthy', 'unhealthy'],
      [-1, 'unhealthy', 'unhealthy'],
    ];
    for (const [exitCode, from, to] of runs)
      m.onHealthCheck('c', { durationMs: 20, exitCode, from, to });
    const p = await scrape(m);
    const checks = 'flotilla_health_check_duration_seconds_count';
    expect(sampleValue(p, checks, { result: 'success' })).toBe(2);
    expect(sampleValue(p, checks, { result: 'failure' })).toBe(3);
    const changes = 'flotilla_container_health_status_total';
    expect(sampleValue(p, changes, { status: 'healthy' })).toBe(1);
    expect(sampleValue(p, changes, { status: 'unhealthy' })).toBe(1);
  });
});
