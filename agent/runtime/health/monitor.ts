// Docker's health checks for running containers: probes on the interval (start-interval during the
// start period), a timeout per probe, starting → healthy/unhealthy after `retries` failures, the
// last 5 results kept. Probes run through the engine's exec; the record is the source of truth.
import type { Logger } from '../../../shared/log/index.js';
import type { ContainerRecord, HealthResult } from '../container/record.js';

export const healthDefaults = {
  intervalMs: 30_000,
  timeoutMs: 30_000,
  startPeriodMs: 0,
  startIntervalMs: 5_000,
  retries: 3,
};

/** One probe run: how long it took, its exit code (-1: timed out or failed to run), the status around it. */
export interface HealthCheckRun {
  durationMs: number;
  exitCode: number;
  from: string;
  to: string;
}

export class HealthMonitor {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly deps: {
      log: Logger;
      exec: (
        rec: ContainerRecord,
        cmd: string[],
        timeoutMs: number,
      ) => Promise<{ exitCode: number; output: string }>;
      /** After every probe run (the status may be unchanged). */
      onChange: (rec: ContainerRecord, run: HealthCheckRun) => void;
      /** A container's checks have ended (unwatched): what runs them may be released. */
      ended?: (id: string) => void;
    },
  ) {}

  watch(rec: ContainerRecord): void {
    const hc = rec.config.Healthcheck;
    if (!hc || !hc.test.length || hc.test[0] === 'NONE' || !rec.state.health) return;
    this.unwatch(rec.id);
    this.schedule(rec);
  }

  unwatch(id: string): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    if (this.timers.delete(id)) this.deps.ended?.(id);
  }

  stopAll(): void {
    for (const id of [...this.timers.keys()]) this.unwatch(id);
  }

  private schedule(rec: ContainerRecord): void {
    const hc = rec.config.Healthcheck!;
    const startPeriod = hc.startPeriodMs ?? healthDefaults.startPeriodMs;
    const inStart =
      rec.state.health?.Status === 'starting' &&
      Date.now() - Date.parse(rec.state.startedAt) < startPeriod;
    const delay = inStart
      ? (hc.startIntervalMs ?? healthDefaults.startIntervalMs)
      : (hc.intervalMs ?? healthDefaults.intervalMs);
    const t = setTimeout(() => void this.runProbe(rec), delay);
    this.timers.set(rec.id, t);
  }

  private command(rec: ContainerRecord): string[] {
    const test = rec.config.Healthcheck!.test;
    if (test[0] === 'CMD-SHELL') return [...rec.config.Shell, test.slice(1).join(' ')];
    if (test[0] === 'CMD') return test.slice(1);
    return test;
  }

  private async runProbe(rec: ContainerRecord): Promise<void> {
    if (!this.timers.has(rec.id) || rec.state.status !== 'running' || !rec.state.health) return;
    const hc = rec.config.Healthcheck!;
    const start = new Date();
    const startedMs = performance.now();
    let result: { exitCode: number; output: string };
    try {
      result = await this.deps.exec(
        rec,
        this.command(rec),
        // 0 is "the default", as in Docker (the CLI sends 0 without --health-timeout)
        hc.timeoutMs || healthDefaults.timeoutMs,
      );
      if (result.exitCode === -1) result.output = 'Health check exceeded timeout';
    } catch (err) {
      result = { exitCode: -1, output: (err as Error).message };
    }
    if (!this.timers.has(rec.id) || rec.state.status !== 'running' || !rec.state.health) return;
    const durationMs = performance.now() - startedMs;
    const h = rec.state.health;
    const entry: HealthResult = {
      Start: start.toISOString(),
      End: new Date().toISOString(),
      ExitCode: result.exitCode,
      Output: result.output,
    };
    h.Log = [...h.Log, entry].slice(-5);
    const before = h.Status;
    if (result.exitCode === 0) {
      h.Status = 'healthy';
      h.FailingStreak = 0;
    } else {
      const inStart =
        h.Status === 'starting' &&
        Date.now() - Date.parse(rec.state.startedAt) < (hc.startPeriodMs ?? 0);
      if (!inStart) {
        h.FailingStreak++;
        if (h.FailingStreak >= (hc.retries ?? healthDefaults.retries)) h.Status = 'unhealthy';
      }
    }
    if (h.Status !== before)
      this.deps.log.info({ containerId: rec.id, from: before, to: h.Status }, 'health changed');
    this.deps.onChange(rec, { durationMs, exitCode: result.exitCode, from: before, to: h.Status });
    if (this.timers.has(rec.id)) this.schedule(rec);
  }
}
