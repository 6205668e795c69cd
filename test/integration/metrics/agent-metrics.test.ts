// An agent started with --metrics-addr, driven through the CLI: /metrics parses as Prometheus text,
// its container counts follow `run -d` and `rm -f`, the start and remove it did are timed, and a
// pull from a loopback registry, the unpack of its layers and a health check that passes then
// fails move the pull, unpack and health-check metrics by exactly what happened.
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../manager/etcd/index.js';
import { buildImage, busyboxLayer, type LayerEntry } from '../../harness/image-builder.js';
import { sampleValue, scrapeMetrics, type ParsedMetrics } from '../../harness/prometheus-text.js';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { uploadImage } from '../image/helpers.js';
import { TestAgent, testLayer, useTestAgent, waitFor } from '../runtime/harness.js';

const metricsAddr = `127.0.0.1:${await freePort()}`;
const agent = new TestAgent(['--metrics-addr', metricsAddr]);
let registry: RunningRegistry | undefined;
useTestAgent(agent, async () => {
  await registry?.stop();
});

const scrape = () => scrapeMetrics(metricsAddr);

/** How far each named sample moved between two scrapes. */
const moved = (a: ParsedMetrics, b: ParsedMetrics, name: string, labels = {}) =>
  sampleValue(b, name, labels) - sampleValue(a, name, labels);

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

  it('counts a real pull, its unpacks, and its health checks', async () => {
    registry = await startRegistry();
    // Three gzip layers none of the agent's images has unpacked (busybox with a marker, the
    // harness's second layer over it, 64 KiB of data): this pull downloads and unpacks each. The
    // second one's blob is in the content store already (the loaded busybox image has it over
    // another parent), so it is downloaded again for its unpack, and counted.
    const marker: LayerEntry = { type: 'file', path: 'metrics-marker', content: 'pulled\n' };
    const data: LayerEntry = { type: 'file', path: 'data.bin', content: Buffer.alloc(65536, 7) };
    const img = await buildImage({
      layers: [[...busyboxLayer(), marker], testLayer(), [data]],
      format: 'docker',
      compression: 'gzip',
      config: { Cmd: ['sh'] } as never,
    });
    await uploadImage(registry.host, 'metrics/bb', '1', img);
    const ref = `${registry.host}/metrics/bb:1`;

    const before = await scrape();
    for (const family of [
      'flotilla_image_pull_duration_seconds',
      'flotilla_layer_unpack_duration_seconds',
      'flotilla_health_check_duration_seconds',
    ])
      expect(before.types.get(family), family).toBe('histogram');
    const pulled = await agent.cli(['pull', ref]);
    expect(pulled.status, pulled.stderr).toBe(0);
    const missing = await agent.cli(['pull', `${registry.host}/metrics/bb:absent`]);
    expect(missing.status).toBe(1);
    const after = await scrape();
    const pulls = 'flotilla_image_pull_duration_seconds_count';
    expect(moved(before, after, pulls, { result: 'ok' })).toBe(1);
    expect(moved(before, after, pulls, { result: 'error' })).toBe(1);
    // Compressed bytes as the registry served them; unpacked bytes as the image's size says.
    const compressed = img.layers.reduce((sum, l) => sum + l.size, 0);
    expect(moved(before, after, 'flotilla_image_pull_bytes_total')).toBe(compressed);
    expect(moved(before, after, 'flotilla_layer_unpack_duration_seconds_count')).toBe(3);
    const inspected = await agent.cli(['image', 'inspect', ref]);
    expect(inspected.status, inspected.stderr).toBe(0);
    const size = (JSON.parse(inspected.stdout) as { Size: number }[])[0].Size;
    expect(size).toBeGreaterThan(65536);
    expect(moved(before, after, 'flotilla_layer_unpack_bytes_total')).toBe(size);
    expect(moved(before, after, 'flotilla_layer_unpack_duration_seconds_sum')).toBeGreaterThan(0);

    // The pulled image runs a check that passes while /tmp/ok exists, then fails twice in a row.
    const r = await agent.cli([
      'run',
      '-d',
      '--network',
      'none',
      '--health-cmd',
      'test -f /tmp/ok',
      '--health-interval',
      '200ms',
      '--health-retries',
      '2',
      ref,
      'sh',
      '-c',
      'touch /tmp/ok; sleep 300',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const id = r.stdout.trim();
    const changes = 'flotilla_container_health_status_total';
    const checks = 'flotilla_health_check_duration_seconds_count';
    await waitFor('a healthy change', async () =>
      moved(before, await scrape(), changes, { status: 'healthy' }) === 1 ? true : undefined,
    );
    expect((await agent.cli(['exec', id, 'rm', '/tmp/ok'])).status).toBe(0);
    const end = await waitFor('an unhealthy change', async () => {
      const now = await scrape();
      return moved(before, now, changes, { status: 'unhealthy' }) === 1 ? now : undefined;
    });
    expect((await agent.cli(['rm', '-f', id])).status).toBe(0);
    expect(moved(before, end, checks, { result: 'success' })).toBeGreaterThanOrEqual(1);
    // retries 2: two failures in a row made it unhealthy (one more may have run by the scrape).
    expect(moved(before, end, checks, { result: 'failure' })).toBeGreaterThanOrEqual(2);
    expect(moved(before, end, changes, { status: 'healthy' })).toBe(1);
    const sum = 'flotilla_health_check_duration_seconds_sum';
    expect(moved(before, end, sum, { result: 'failure' })).toBeGreaterThan(0);
  });
});
