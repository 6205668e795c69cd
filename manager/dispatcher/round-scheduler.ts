// When the dispatcher sends agents a round of changes (routing mesh, cluster networks): at once
// when something may stop serving, otherwise at most one round per interval.
/**
 * Schedules calls of `round`. An urgent request runs the round on the next turn of the event loop
 * (agents must stop sending a task new connections, and DNS must drop it, before its own agent
 * stops it); other requests are coalesced into at most one round per `intervalMs` (one round per
 * event burst was one message to every agent per status batch — the agents' main cost when
 * thousands of tasks start).
 */
export class RoundScheduler {
  private now = false;
  private timer?: NodeJS.Timeout;
  private roundAtMs = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly round: () => void,
  ) {}

  schedule(urgent: boolean): void {
    if (this.now) return;
    if (urgent) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.now = true;
      setImmediate(() => {
        this.now = false;
        this.run();
      });
      return;
    }
    if (this.timer) return;
    const waitMs = Math.max(0, this.roundAtMs + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, waitMs);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.roundAtMs = Date.now();
    this.round();
  }
}
