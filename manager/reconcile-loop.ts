// The loop the leader's reconcilers share (orchestrator, scheduler, updater). Store events kick
// it; kicks within `debounceMs` share one pass; a kick while a pass runs makes exactly one more
// pass after it (so nothing seen during a pass is missed, and passes never overlap); a pass may ask
// to be woken at a time (a restart delay, an update's monitor period); a failed pass is retried
// with back-off (debounce doubling up to 5 s) so a persistent error does not spin. stop() waits
// for the pass in flight, and a loop stopped and started again (leadership lost and regained)
// starts clean.
import type { Logger } from '../shared/log/index.js';

export interface ReconcileLoopOptions {
  /** What a pass is, for the log line of a failed one ("orchestration pass failed"). */
  name: string;
  log: Logger;
  clock: { now(): number };
  /** One pass; may return when the next timed pass is due (epoch ms). */
  pass: () => Promise<{ wakeAtMs?: number } | void>;
  /** @default 50 */
  debounceMs?: number;
  /** Told each pass's duration and whether it succeeded (metrics). */
  onPass?: (name: string, durationMs: number, ok: boolean) => void;
}

const maxRetryDelayMs = 5000;

export class ReconcileLoop {
  private timer?: NodeJS.Timeout;
  private wakeTimer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private failures = 0;

  constructor(private readonly opts: ReconcileLoopOptions) {}

  start(): void {
    this.stopped = false;
    this.failures = 0;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // No stale timer may block kick() after a restart.
    this.timer = undefined;
    this.again = false;
    clearTimeout(this.wakeTimer);
    await this.running;
  }

  /** Asks for a pass soon. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    const debounceMs = this.opts.debounceMs ?? 50;
    const delay = this.failures === 0 ? debounceMs : retryDelay(debounceMs, this.failures);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const startedMs = performance.now();
      const observe = (ok: boolean) =>
        this.opts.onPass?.(this.opts.name, performance.now() - startedMs, ok);
      this.running = this.opts
        .pass()
        .then((r) => {
          observe(true);
          this.failures = 0;
          this.armWake(r ? r.wakeAtMs : undefined);
        })
        .catch((err) => {
          observe(false);
          this.failures++;
          this.opts.log.warn(
            { err, failures: this.failures },
            `${this.opts.name} failed, will retry`,
          );
          this.again = true;
        })
        .finally(() => {
          this.running = undefined;
          if (this.again) {
            this.again = false;
            this.kick();
          }
        });
    }, delay);
  }

  private armWake(atMs: number | undefined): void {
    clearTimeout(this.wakeTimer);
    if (atMs === undefined || this.stopped) return;
    this.wakeTimer = setTimeout(() => this.kick(), Math.max(0, atMs - this.opts.clock.now()));
    this.wakeTimer.unref?.();
  }
}

/** How long a loop waits before retrying after `failures` failed passes in a row. */
export function retryDelay(debounceMs: number, failures: number): number {
  return Math.min(maxRetryDelayMs, Math.max(debounceMs, 50) * 2 ** Math.min(failures, 10));
}
