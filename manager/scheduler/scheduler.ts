// Assigns pending tasks to nodes: reacts to store events, plans every pending task in one pass
// (planner.ts) and commits the plan in bounded transactions. It sets nodeId and 'assigned' only;
// the dispatcher streams the assignment to the agent, the orchestrator decides which tasks exist.
// It also places tasks the orchestrator is about to create (NewTaskPlacement), so those are
// written once, already assigned; its passes and those placements take turns (one lock), so each
// plans with the other's placements committed and in the cache.
import { ReconcileLoop, type ReconcileLoopOptions } from '../reconcile-loop.js';
import { KeyedLock } from '../../shared/concurrency/keyed-lock.js';
import type { Logger } from '../../shared/log/index.js';
import type { Task } from '../../shared/model/index.js';
import type { ObjectStore, StoreEvent } from '../store/index.js';
import {
  assign,
  attachNetworks,
  commitParallel,
  concernsScheduler,
  type NewTaskPlacement,
  type Placement,
} from '../tasks/index.js';
import { needsPlacement, planPlacement, type Plan } from './planner.js';

export interface SchedulerDeps {
  store: ObjectStore;
  log: Logger;
  clock: { now(): number };
  /** Wait after an event so a burst of events makes one pass. @default 50 */
  debounceMs?: number;
  /** Reconcile pass durations (ReconcileLoopOptions.onPass). */
  onPass?: ReconcileLoopOptions['onPass'];
  /** Writes per transaction when committing a plan. @default the store's batchOpsPerTx */
  maxOpsPerTx?: number;
  /**
   * Tasks planned per pass, the oldest first; a pass that leaves some asks for the next at once.
   * Planning is synchronous: 100,000 tasks in one pass held the event loop for seconds (the
   * leader's 3 s lease lapsed), and nothing was committed, so no agent started, until all were
   * planned. @default 5000
   */
  maxTasksPerPass?: number;
}

export class Scheduler implements NewTaskPlacement {
  private readonly log: Logger;
  private unsubscribe?: () => void;
  private readonly loop: ReconcileLoop;
  /** Held while a pass or a placement of new tasks plans and commits. */
  private readonly placing = new KeyedLock();

  constructor(private readonly deps: SchedulerDeps) {
    this.log = deps.log.child({ component: 'scheduler' });
    this.loop = new ReconcileLoop({
      name: 'scheduling pass',
      log: this.log,
      clock: deps.clock,
      debounceMs: deps.debounceMs,
      onPass: deps.onPass,
      pass: async () => {
        const plan = await this.runPass();
        // Tasks left over: the next pass is due now (their own events may never come).
        return plan.deferred ? { wakeAtMs: this.deps.clock.now() } : undefined;
      },
    });
  }

  async start(): Promise<void> {
    this.unsubscribe = this.deps.store.subscribe((e) => this.onEvent(e));
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.loop.stop();
  }

  private onEvent(e: StoreEvent): void {
    if (concernsScheduler(e)) this.loop.kick();
  }

  /**
   * Places tasks about to be created (NewTaskPlacement) with the same planner as a pass: after the
   * pending tasks already in the store (oldest first, within one pass's budget), so new tasks do
   * not overtake tasks that were waiting for room.
   */
  placeNew<T>(
    tasks: readonly Task[],
    write: (placements: ReadonlyMap<string, Placement>) => Promise<T>,
  ): Promise<T> {
    return this.placing.run('placement', async () => {
      const placements = new Map<string, Placement>();
      if (tasks.length > 0) {
        const plan = planPlacement(
          this.deps.store.list('node'),
          [...this.deps.store.list('task'), ...tasks],
          { maxTasks: (this.deps.maxTasksPerPass ?? 5000) + tasks.length },
        );
        const isNew = new Set(tasks.map((t) => t.id));
        for (const a of plan.assignments)
          if (isNew.has(a.taskId)) placements.set(a.taskId, { nodeId: a.nodeId });
        for (const [taskId, reason] of plan.pending)
          if (isNew.has(taskId)) placements.set(taskId, { reason });
        // The plan is synchronous and so is building the first transactions: other work in
        // between (the lock stays held, so the plan stays valid).
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return write(placements);
    });
  }

  /** One pass over every pending task; returns the plan it committed. */
  runPass(): Promise<Plan> {
    return this.placing.run('placement', () => this.planAndCommit());
  }

  private async planAndCommit(): Promise<Plan> {
    const tasks = this.deps.store.list('task');
    if (!tasks.some(needsPlacement)) return { assignments: [], pending: new Map() };
    const started = this.deps.clock.now();
    const byId = new Map(tasks.map((t) => [t.id, t]));
    const plan = planPlacement(this.deps.store.list('node'), tasks, {
      maxTasks: this.deps.maxTasksPerPass ?? 5000,
    });
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
          const before = t.pendingReason;
          assign(t, w.nodeId, timestamp);
          // No free address on one of its networks: stays pending (written only when the reason is new).
          if (!attachNetworks(tx, t) && t.pendingReason === before) return;
        } else {
          t.pendingReason = w.reason;
        }
        tx.update('task', t);
      },
      {
        ...(this.deps.maxOpsPerTx ? { chunk: this.deps.maxOpsPerTx } : {}),
        groupBy: (w) => w.nodeId ?? '',
      },
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
