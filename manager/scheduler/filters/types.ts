// A filter decides whether one node can take one task. Static filters depend only on the task's
// spec and the node, so the planner runs them once per group of identical tasks; dynamic filters
// depend on what has been placed so far and are re-checked for every task.
import type { Task } from '../../../shared/model/index.js';
import type { Constraint } from '../../placement/index.js';
import type { NodeInfo } from '../node-info.js';

/** What the planner knows about the group being placed (tasks of one service version). */
export interface TaskGroup {
  serviceId: string;
  /** A representative task; every task of the group has the same spec. */
  task: Task;
  constraints: Constraint[];
}

export interface Filter {
  name: string;
  dynamic: boolean;
  /** undefined when the node fits; otherwise the phrase for the pending reason. */
  check(group: TaskGroup, node: NodeInfo): string | undefined;
}
