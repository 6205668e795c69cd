import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../shared/log/index.js';
import type { ContainerRecord } from '../container/record.js';
import { HealthMonitor } from './monitor.js';

function record(hc: {
  intervalMs?: number;
  retries?: number;
  startPeriodMs?: number;
  startIntervalMs?: number;
}): ContainerRecord {
  return {
    id: 'c1',
    config: { Healthcheck: { test: ['CMD-SHELL', 'check'], ...hc }, Shell: ['/bin/sh', '-c'] },
    state: {
      status: 'running',
      startedAt: new Date().toISOString(),
      health: { Status: 'starting', FailingStreak: 0, Log: [] },
    },
  } as unknown as ContainerRecord;
}

describe('health state transitions', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  function monitor(results: number[]) {
    const seen: string[] = [];
    const cmds: string[][] = [];
    const m = new HealthMonitor({
      log: createLogger({ proc: 'test', level: 'silent' } as never),
      exec: async (_rec, cmd) => {
        cmds.push(cmd);
        return { exitCode: results.shift() ?? 0, output: 'out' };
      },
      onChange: (rec) =>
        seen.push(`${rec.state.health!.Status}/${rec.state.health!.FailingStreak}`),
    });
    return { m, seen, cmds };
  }

  it('starting → healthy on the first success; unhealthy after `retries` failures; healthy again', async () => {
    const { m, seen, cmds } = monitor([0, 1, 1, 1, 0]);
    const rec = record({ intervalMs: 1000, retries: 3 });
    m.watch(rec);
    await vi.advanceTimersByTimeAsync(999);
    expect(seen).toEqual([]); // first probe one interval after start
    await vi.advanceTimersByTimeAsync(5 * 1000);
    expect(seen).toEqual(['healthy/0', 'healthy/1', 'healthy/2', 'unhealthy/3', 'healthy/0']);
    expect(cmds[0]).toEqual(['/bin/sh', '-c', 'check']);
    expect(rec.state.health!.Log).toHaveLength(5);
    m.stopAll();
  });

  it('does not count failures inside the start period while starting', async () => {
    const { m, seen } = monitor([1, 1, 1, 0]);
    const rec = record({ intervalMs: 1000, retries: 1, startPeriodMs: 60_000 });
    m.watch(rec);
    // Start interval (5 s) applies while starting inside the start period.
    await vi.advanceTimersByTimeAsync(4999);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(3 * 5000 + 1);
    expect(seen).toEqual(['starting/0', 'starting/0', 'starting/0', 'healthy/0']);
    m.stopAll();
  });

  it('probes every start interval while starting inside the start period', async () => {
    const { m, seen } = monitor([1, 1, 0]);
    const rec = record({ intervalMs: 60_000, startPeriodMs: 60_000, startIntervalMs: 200 });
    m.watch(rec);
    await vi.advanceTimersByTimeAsync(199);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * 200 + 1);
    expect(seen).toEqual(['starting/0', 'starting/0', 'healthy/0']);
    m.stopAll();
  });

  it('keeps the last 5 results and stops probing once unwatched', async () => {
    const { m, seen } = monitor(Array(10).fill(1));
    const rec = record({ intervalMs: 100, retries: 100 });
    m.watch(rec);
    await vi.advanceTimersByTimeAsync(700);
    expect(rec.state.health!.Log).toHaveLength(5);
    m.unwatch('c1');
    const n = seen.length;
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen.length).toBe(n);
  });
});
