// The strict text-format parser the metrics tests rely on must refuse what Prometheus refuses.
import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from '../../test/harness/prometheus-text.js';
import { createMetricsRegistry } from './registry.js';

describe('the Prometheus text parser of the tests', () => {
  it('reads a registry’s output', async () => {
    const p = parsePrometheusText(await createMetricsRegistry('agent').metrics());
    expect(p.types.get('flotilla_process_cpu_user_seconds_total')).toBe('counter');
    expect(sampleValue(p, 'flotilla_process_start_time_seconds')).toBeGreaterThan(0);
  });

  it.each([
    ['a value that is not a number', 'x 1.2.3'],
    ['a missing value', 'x{a="b"}'],
    ['an unquoted label', 'x{a=b} 1'],
    ['an unknown type', '# TYPE x thing'],
    ['a name with a dash', 'x-y 1'],
  ])('refuses %s', (_why, line) => {
    expect(() => parsePrometheusText(`${line}\n`)).toThrow(/metrics line 1/);
  });
});
