// A timer for a point in time that may be months away: setTimeout holds at most 2^31-1 ms (24.8
// days), so a longer wait is re-armed until the point is reached.
const maxTimerMs = 2 ** 31 - 1;

export class RenewalTimer {
  private timer?: NodeJS.Timeout;
  private dueMs = 0;

  constructor(
    private readonly fire: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Fires once at `dueMs` (epoch ms); replaces any earlier plan. */
  at(dueMs: number): void {
    this.dueMs = dueMs;
    this.arm();
  }

  /** Epoch ms of the planned firing (0 when none). */
  get due(): number {
    return this.timer ? this.dueMs : 0;
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    clearTimeout(this.timer);
    const wait = Math.min(Math.max(0, this.dueMs - this.now()), maxTimerMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.now() < this.dueMs) this.arm();
      else this.fire();
    }, wait);
    this.timer.unref?.();
  }
}
