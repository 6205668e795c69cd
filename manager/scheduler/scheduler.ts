// Assigns pending tasks to nodes: reacts to store events, plans every pending task in one pass
// (planner.ts) and commits the plan in bounded transactions. It sets nodeId and 'assigned' only;
// the dispatcher streams the assignment to the agent, the orchestrator decides which tasks exist.
import type { Logger } from '../../shared/log/index.js';
import type { ObjectStore, StoreEvent } from '../store/types.js';
import { commitParallel } from '../tasks/index.js';
import { needsPlacement, planPlacement, type Plan } from './planner.js';

export interface SchedulerDeps {
  store: ObjectStore;
  log: Logger;
  clock: { now(): number };
  /** Wait after an event so a burst of events makes one pass. @default 50 */
  debounceMs?: number;
  /** Writes per transaction when committing a plan. @default the store's (100) */
  maxOpsPerTx?: number;
}

export class Scheduler {
  private readonly log: Logger;
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(private readonly deps: SchedulerDeps) {
    this.log = deps.log.child({ component: 'scheduler' });
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.unsubscribe = this.deps.store.subscribe((e) => this.onEvent(e));
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    // A leader that loses and regains leadership starts again: no stale timer may block kick().
    this.timer = undefined;
    this.again = false;
    await this.running;
  }

  private onEvent(e: StoreEvent): void {
    // Services don't affect placement by themselves; their tasks do.
    if (e.kind !== 'service') this.kick();
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.runPass()
        .then(() => undefined)
        .catch((err) => this.log.warn({ err }, 'scheduling pass failed, will retry'))
        .finally(() => {
          this.running = undefined;
          if (this.again) {
            this.again = false;
            this.kick();
          }
        });
    }, this.deps.debounceMs ?? 50);
  }

  /** One pass over every pending task; returns the plan it committed. */
  async runPass(): Promise<Plan> {
    const tasks = this.deps.store.list('task');
    if (!tasks.some(needsPlacement)) return { assignments: [], pending: new Map() };
    const started = this.deps.clock.now();
    const byId = new Map(tasks.map((t) => [t.id, t]));
    const plan = planPlacement(this.deps.store.list('node'), tasks);
    const timestamp = new Date(this.deps.clock.now()).toISOString();
    type Write = { taskId: string; nodeId?: string; reason?: string };
    const writes: Write[] = plan.assignments.map((a) => ({ taskId: a.taskId, nodeId: a.nodeId }));
    for (const [taskId, reason] of plan.pending)
      if (byId.get(taskId)?.pendingReason !== reason) writes.push({ taskId, reason });
    await commitParallel(
      this.deps.store,
      writes,
      (tx, w) => {
        const t = tx.get('task', w.taskId);
        // The task may have changed since the snapshot; only a still-pending task is ours.
        if (!t || !needsPlacement(t)) return;
        if (w.nodeId !== undefined) {
          if (t.nodeId !== undefined && t.nodeId !== w.nodeId) return;
          t.nodeId = w.nodeId;
          t.status = {
            ...t.status,
            state: 'assigned',
            timestamp,
            message: 'scheduler assigned task to node',
          };
          delete t.pendingReason;
        } else {
          t.pendingReason = w.reason;
        }
        tx.update('task', t);
      },
      this.deps.maxOpsPerTx ? { chunk: this.deps.maxOpsPerTx } : {},
    );
    if (plan.assignments.length > 0 || plan.pending.size > 0)
      this.log.debug(
        {
          assigned: plan.assignments.length,
          pending: plan.pending.size,
          durationMs: this.deps.clock.now() - started,
        },
        'scheduling pass',
      );
    return plan;
  }
}
