// What one orchestration pass shares between the replicated, global and history reconcilers.
import type { Task } from '../../shared/model/index.js';
import type { Change } from './changes.js';
import type { RestartSupervisor } from './restart.js';

export interface PassContext {
  nowMs: number;
  restarts: RestartSupervisor;
  changes: Change[];
  /** Earliest time a later pass has work to do (a restart delay or window ending). */
  wakeAtMs?: number;
  newId?: () => string;
  /**
   * New tasks this pass may still create to scale services up (restarts are not counted); when it
   * runs out, the pass asks for the next one at once (wakeAtMs = nowMs). Undefined: no limit.
   */
  createBudget?: number;
}

export function wakeAt(ctx: PassContext, atMs: number | undefined): void {
  if (atMs !== undefined && (ctx.wakeAtMs === undefined || atMs < ctx.wakeAtMs))
    ctx.wakeAtMs = atMs;
}

const stateRank: Record<string, number> = { running: 3, starting: 2, ready: 1 };

/** Of several tasks that should run in one slot, the one to keep: furthest along, then newest. */
export function preferred(a: Task, b: Task): Task {
  const ra = stateRank[a.status.state] ?? 0;
  const rb = stateRank[b.status.state] ?? 0;
  if (ra !== rb) return ra > rb ? a : b;
  return a.createdAt >= b.createdAt ? a : b;
}

/**
 * Two tasks of different service versions in one slot are a start-first update in progress: the
 * updater (manager/update) retires the old one once the new one runs. Keep the newer as the slot's
 * task and shut neither down.
 */
export function startFirstPair(a: Task, b: Task): Task | undefined {
  if (a.serviceVersion === b.serviceVersion) return undefined;
  return a.serviceVersion > b.serviceVersion ? a : b;
}
