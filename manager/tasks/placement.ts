// The contract between a reconciler that creates tasks and the scheduler, so that a new task can be
// written once, already assigned (one etcd write instead of create, then assign). The scheduler
// implements it (manager/scheduler); the orchestrator uses it when cluster-part.ts hands it one,
// and without one creates pending tasks for the scheduler's pass, as before.
import type { Task } from '../../shared/model/index.js';
import { attachTask } from '../networks/index.js';
import type { StoreTx } from '../store/index.js';

/** Where a new task goes: a node it fits on, or why none does (`service ps` shows the reason). */
export type Placement = { nodeId: string } | { reason: string };

export interface NewTaskPlacement {
  /**
   * Plans `tasks` (new and pending, not yet in the store) against the cached nodes and tasks and
   * runs `write` with the result, while no scheduling pass plans or commits: the placements each
   * sees are committed before the other plans. A task absent from the map is left to the
   * scheduler's pass (older pending tasks come first and filled this pass's budget). `write` must
   * have committed by the time it resolves.
   */
  placeNew<T>(
    tasks: readonly Task[],
    write: (placements: ReadonlyMap<string, Placement>) => Promise<T>,
  ): Promise<T>;
}

export const assignedMessage = 'scheduler assigned task to node';

/** The task as the scheduler assigns it (shared, so both paths write the same document). */
export function assign(task: Task, nodeId: string, timestamp: string): void {
  task.nodeId = nodeId;
  task.status = { ...task.status, state: 'assigned', timestamp, message: assignedMessage };
  delete task.pendingReason;
}

/** A new task with its placement applied: assigned, or pending with the reason. */
export function withPlacement(task: Task, p: Placement | undefined, timestamp: string): Task {
  if (!p) return task;
  const t = { ...task, status: { ...task.status } };
  if ('nodeId' in p) assign(t, p.nodeId, timestamp);
  else t.pendingReason = p.reason;
  return t;
}

/**
 * Gives an assigned task its addresses on its cluster networks, in the transaction that writes
 * the placement (so a failover never hands an address out twice: the claims are in the store).
 * When a network has no free address the placement is undone: the task stays pending (a global
 * task keeps its node) with the reason `service ps` shows. Returns false in that case.
 */
export function attachNetworks(tx: StoreTx, task: Task): boolean {
  if (task.status.state !== 'assigned') return true;
  const a = attachTask(tx, task);
  if (!('reason' in a)) {
    if (a.networks) task.networks = a.networks;
    return true;
  }
  if (task.slot > 0) delete task.nodeId;
  task.status = { ...task.status, state: 'pending', message: 'waiting for a network address' };
  task.pendingReason = a.reason;
  return false;
}
