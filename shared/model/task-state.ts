// Task lifecycle, as in Swarm. States only move forward; the manager owns new → assigned,
// the agent owns accepted → running and the terminal states it observes.
//
//   new → pending → assigned → accepted → preparing → ready → starting → running
//                                                                          │
//        ┌──────────────┬──────────────┬───────────┬───────────┬───────────┤
//        ▼              ▼              ▼           ▼           ▼           ▼
//     complete       shutdown        failed     rejected    orphaned     remove
//
// desiredState is one of running | shutdown | remove (set by the orchestrator/updater).

export const taskStates = [
  'new',
  'pending',
  'assigned',
  'accepted',
  'preparing',
  'ready',
  'starting',
  'running',
  'complete',
  'shutdown',
  'failed',
  'rejected',
  'orphaned',
  'remove',
] as const;

export type TaskState = (typeof taskStates)[number];

export type DesiredState = 'running' | 'shutdown' | 'remove';

const order = new Map(taskStates.map((s, i) => [s, i]));

/** True once a task can no longer run: its slot needs another task if it should be running. */
export function isTerminal(state: TaskState): boolean {
  return (order.get(state) ?? 0) > (order.get('running') ?? 0);
}

/** A status update may only move a task forward; stale or reordered updates are ignored. */
export function isForward(from: TaskState, to: TaskState): boolean {
  return (order.get(to) ?? 0) > (order.get(from) ?? 0);
}
