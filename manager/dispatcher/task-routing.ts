// Routes task changes to the session of the node each task is on (one store subscription for all
// sessions), and tells a node's session when a task leaves it (deleted or moved).
import type { Task } from '../../shared/model/index.js';
import type { StoreEvent } from '../store/index.js';
import type { AgentSession } from './session.js';

/** Tasks an agent should hear about: placed on its node by the scheduler (or later). */
export function isAssignedTo(t: Task, nodeId: string): boolean {
  return t.nodeId === nodeId && t.status.state !== 'pending' && t.status.state !== 'new';
}

export class TaskRouting {
  /** taskId → nodeId as last seen, to tell a node when a task leaves it. */
  private readonly taskNodes = new Map<string, string>();

  constructor(private readonly sessions: ReadonlyMap<string, AgentSession>) {}

  /** Learns where the tasks are now (before the store subscription starts). */
  start(tasks: readonly Task[]): void {
    for (const t of tasks) if (t.nodeId) this.taskNodes.set(t.id, t.nodeId);
  }

  onTaskEvent(e: Extract<StoreEvent, { kind: 'task' }>): void {
    const t = e.object;
    // A task that moved between nodes (or was deleted) must leave the old node's session.
    const before = this.taskNodes.get(t.id);
    if (e.type === 'delete' || !t.nodeId) this.taskNodes.delete(t.id);
    else this.taskNodes.set(t.id, t.nodeId);
    if (before && before !== t.nodeId) this.sessions.get(before)?.taskGone(t.id);
    if (!t.nodeId) return;
    const s = this.sessions.get(t.nodeId);
    if (!s) return;
    if (e.type === 'delete' || !isAssignedTo(t, t.nodeId)) s.taskGone(t.id);
    else s.taskChanged(t);
  }
}
