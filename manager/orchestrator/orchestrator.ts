// Runs the orchestration passes: replicated and global services, restart supervision, task history,
// and cleanup after removed services. Reacts to store events (debounced) and to its own restart
// timers; each pass reads the cache, computes changes and commits them in bounded transactions.
// Where new tasks go is not its decision: given a placement (the scheduler's planner), it asks it
// just before the commit; otherwise the scheduler's pass places them after.
import { ReconcileLoop, type ReconcileLoopOptions } from '../reconcile-loop.js';
import type { Logger } from '../../shared/log/index.js';
import type { ObjectStore } from '../store/index.js';
import { applyChange, type Change } from './changes.js';
import type { PassContext } from './context.js';
import { reconcileGlobal } from './global.js';
import { reapRemovedService, trimHistory } from './history.js';
import { reconcileReplicated } from './replicated.js';
import { RestartSupervisor } from './restart.js';
import {
  commitParallel,
  concernsOrchestrator,
  slotKey,
  withPlacement,
  type NewTaskPlacement,
} from '../tasks/index.js';
import { groupBy } from '../../shared/collections/group-by.js';

export interface OrchestratorDeps {
  store: ObjectStore;
  log: Logger;
  clock: { now(): number };
  /** Stopped tasks kept per slot (cluster setting). @default 5 */
  taskHistoryLimit?: number;
  /** @default 50 */
  debounceMs?: number;
  /** Reconcile pass durations (ReconcileLoopOptions.onPass). */
  onPass?: ReconcileLoopOptions['onPass'];
  /** Writes per transaction. @default the store's (100) */
  maxOpsPerTx?: number;
  /** Task ids, for deterministic tests. */
  newId?: () => string;
  /**
   * Tasks created per pass to scale services up; the next pass follows at once. A pass builds its
   * tasks synchronously: scaling to 100,000 replicas in one pass held the event loop 2.5 s, close
   * to the leader's 3 s lease. @default 10000
   */
  maxCreatesPerPass?: number;
  /**
   * Places new tasks before they are written (the scheduler), so creating and assigning a task is
   * one write. Without it new tasks are created pending and the scheduler's pass places them.
   */
  placement?: NewTaskPlacement;
}

export class Orchestrator {
  private readonly log: Logger;
  private readonly restarts = new RestartSupervisor();
  private unsubscribe?: () => void;
  private readonly loop: ReconcileLoop;

  constructor(private readonly deps: OrchestratorDeps) {
    this.log = deps.log.child({ component: 'orchestrator' });
    this.loop = new ReconcileLoop({
      name: 'orchestration pass',
      log: this.log,
      clock: deps.clock,
      debounceMs: deps.debounceMs,
      onPass: deps.onPass,
      pass: () => this.runPass(),
    });
  }

  async start(): Promise<void> {
    this.unsubscribe = this.deps.store.subscribe((e) => {
      if (concernsOrchestrator(e)) this.loop.kick();
    });
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.loop.stop();
  }

  /** Computes the changes one pass wants, without writing them. */
  plan(): PassContext {
    const { store } = this.deps;
    const ctx: PassContext = {
      nowMs: this.deps.clock.now(),
      restarts: this.restarts,
      changes: [],
      newId: this.deps.newId,
      createBudget: this.deps.maxCreatesPerPass ?? 10_000,
    };
    const services = new Map(store.list('service').map((s) => [s.id, s]));
    const nodes = store.list('node');
    const byService = groupBy(store.list('task'), (t) => t.serviceId);
    // What the restart supervisor remembers of tasks and slots that are gone is forgotten at the
    // end of the pass; with nothing remembered (no task has stopped) there is nothing to forget,
    // and a key per task each pass is a visible cost at 100,000 tasks. Entries this pass adds
    // are of live tasks.
    const remembering = this.restarts.size > 0;
    const liveKeys = new Set<string>();
    const liveIds = new Set<string>();
    for (const [serviceId, tasks] of byService) {
      if (remembering)
        for (const t of tasks) {
          liveIds.add(t.id);
          liveKeys.add(`${serviceId}/${slotKey(t)}`);
        }
      if (!services.has(serviceId)) reapRemovedService(tasks, ctx);
    }
    for (const service of services.values()) {
      const tasks = byService.get(service.id) ?? [];
      reconcileReplicated(service, tasks, ctx);
      reconcileGlobal(service, tasks, nodes, ctx);
      trimHistory(tasks, this.deps.taskHistoryLimit ?? 5, ctx);
    }
    if (remembering) this.restarts.forget(liveIds, liveKeys);
    return ctx;
  }

  /** One pass: plan, then commit. Returns the context (changes, next wake-up) for tests. */
  async runPass(): Promise<PassContext> {
    const ctx = this.plan();
    if (ctx.changes.length === 0) return ctx;
    // Planning, placing and writing a pass are each synchronous for up to maxCreatesPerPass
    // tasks: let the agents' reports and the watch through in between (back to back they held
    // the event loop for 3 s at 100,000 tasks, the leader's whole lease).
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.commit(ctx.changes);
    return ctx;
  }

  /**
   * With a placement (the scheduler), new tasks are placed just before they are written: created
   * assigned where a node fits, pending with the reason otherwise. The create changes are replaced
   * by the placed tasks, so a test sees what was written.
   */
  private async commit(changes: Change[]): Promise<void> {
    const started = this.deps.clock.now();
    const timestamp = new Date(this.deps.clock.now()).toISOString();
    const placement = this.deps.placement;
    const created = changes.flatMap((c) => (c.op === 'create' ? [c.task] : []));
    if (!placement || created.length === 0) await this.write(changes, timestamp);
    else
      await placement.placeNew(created, (placements) => {
        for (const c of changes)
          if (c.op === 'create')
            c.task = withPlacement(c.task, placements.get(c.task.id), timestamp);
        return this.write(changes, timestamp);
      });
    const count = (op: Change['op']) => changes.filter((c) => c.op === op).length;
    this.log.debug(
      {
        created: count('create'),
        assigned: changes.filter((c) => c.op === 'create' && c.task.nodeId !== undefined).length,
        stopped: count('desired'),
        deleted: count('delete'),
        durationMs: this.deps.clock.now() - started,
      },
      'orchestration pass',
    );
  }

  private async write(changes: Change[], timestamp: string): Promise<void> {
    // Changes touch one task each, so chunks commit independently and in parallel.
    await commitParallel(this.deps.store, changes, (tx, c) => applyChange(tx, c, timestamp), {
      ...(this.deps.maxOpsPerTx ? { chunk: this.deps.maxOpsPerTx } : {}),
      groupBy: (c) => (c.op === 'create' ? (c.task.nodeId ?? '') : ''),
    });
  }
}
