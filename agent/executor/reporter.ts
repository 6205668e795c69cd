// Collects task status changes and hands them to the session in batches. Only the latest status of
// each task is kept (the manager ignores backward moves anyway), and nothing is lost while no
// manager is reachable: the batch is kept until a session takes it.
import type { TaskStatus } from '../../shared/model/index.js';

export type StatusBatchSink = (updates: { taskId: string; status: TaskStatus }[]) => boolean;

export class Reporter {
  private pending = new Map<string, TaskStatus>();
  private sink?: StatusBatchSink;
  private timer?: NodeJS.Timeout;

  /** @param flushMs how long updates gather before a batch is sent. @default 50 */
  constructor(private readonly flushMs = 50) {}

  report = (taskId: string, status: TaskStatus): void => {
    this.pending.set(taskId, status);
    this.schedule();
  };

  /** A session is up: batches go to `sink` until detached. */
  attach(sink: StatusBatchSink): void {
    this.sink = sink;
    this.schedule();
  }

  detach(): void {
    this.sink = undefined;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Sends what is pending now; returns false if there was no session to take it. */
  flush(): boolean {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return true;
    if (!this.sink) return false;
    const updates = [...this.pending].map(([taskId, status]) => ({ taskId, status }));
    if (!this.sink(updates)) return false;
    // Keep updates that arrived while sending (none today: the sink is synchronous).
    for (const u of updates)
      if (this.pending.get(u.taskId) === u.status) this.pending.delete(u.taskId);
    return true;
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.timer || !this.sink || this.pending.size === 0) return;
    this.timer = setTimeout(() => this.flush(), this.flushMs);
  }
}
