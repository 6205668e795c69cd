// Decides where pending tasks go, all of them in one pass, without touching the store: the
// scheduler feeds it a snapshot and commits the plan. Pure so it can be tested with plain objects.
//
// Tasks are grouped by service version (identical specs), so static filters run once per group
// and each node drops out of a group at most once; a task then costs O(log nodes).
import type { Node, Task } from '../../shared/model/index.js';
import { isFlotillaError } from '../../shared/errors/index.js';
import { parseConstraints } from '../placement/index.js';
import { filters, type TaskGroup } from './filters/index.js';
import { buildNodeInfos, type NodeInfo } from './node-info.js';
import { buildSpreadTree, pickLeaf } from './scores/spread.js';

export interface Plan {
  assignments: { taskId: string; nodeId: string }[];
  /** Tasks that fit nowhere, with the reason `service ps` shows. */
  pending: Map<string, string>;
  /** Tasks left for a later pass (beyond `maxTasks`, the newest). */
  deferred?: number;
}

/** True for the tasks the scheduler is responsible for. */
export function needsPlacement(t: Task): boolean {
  return t.status.state === 'pending' && t.desiredState === 'running';
}

const staticFilters = filters.filter((f) => !f.dynamic);
const dynamicFilters = filters.filter((f) => f.dynamic);

/** `maxTasks`: plan only that many tasks, the oldest; the rest are counted in `deferred`. */
export function planPlacement(
  nodes: readonly Node[],
  tasks: readonly Task[],
  opts: { maxTasks?: number } = {},
): Plan {
  const plan: Plan = { assignments: [], pending: new Map() };
  const infos = buildNodeInfos(nodes, tasks);
  let todo = tasks
    .filter(needsPlacement)
    .sort((a, b) =>
      a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.slot - b.slot,
    );
  if (opts.maxTasks !== undefined && todo.length > opts.maxTasks) {
    plan.deferred = todo.length - opts.maxTasks;
    todo = todo.slice(0, opts.maxTasks);
  }

  const groups = new Map<string, Task[]>();
  for (const t of todo) {
    if (t.nodeId !== undefined) {
      placeOnNode(plan, t, infos.get(t.nodeId));
      continue;
    }
    const key = `${t.serviceId}@${t.serviceVersion}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(t);
  }
  for (const g of groups.values()) placeGroup(plan, g, [...infos.values()]);
  return plan;
}

function makeGroup(task: Task): TaskGroup | string {
  try {
    return {
      serviceId: task.serviceId,
      task,
      constraints: parseConstraints(task.spec.placement.constraints),
    };
  } catch (err) {
    return isFlotillaError(err) ? err.message : String(err);
  }
}

// Global tasks arrive with their node chosen by the orchestrator; only check that it fits.
function placeOnNode(plan: Plan, task: Task, info: NodeInfo | undefined): void {
  const group = makeGroup(task);
  if (typeof group === 'string') return void plan.pending.set(task.id, group);
  if (!info) return void plan.pending.set(task.id, 'no suitable node (node not found)');
  for (const f of filters) {
    const why = f.check(group, info);
    if (why) return void plan.pending.set(task.id, `no suitable node (${why} on 1 node)`);
  }
  info.add(task);
  plan.assignments.push({ taskId: task.id, nodeId: info.node.id });
}

function placeGroup(plan: Plan, tasks: Task[], nodes: NodeInfo[]): void {
  const group = makeGroup(tasks[0]);
  if (typeof group === 'string') {
    for (const t of tasks) plan.pending.set(t.id, group);
    return;
  }
  const failures = new Map<string, number>();
  const fail = (why: string) => failures.set(why, (failures.get(why) ?? 0) + 1);
  const feasible: NodeInfo[] = [];
  for (const n of nodes) {
    const why = firstFailure(staticFilters, group, n);
    if (why) fail(why);
    else feasible.push(n);
  }
  const prefs = group.task.spec.placement.preferences.map((p) => p.spread);
  const tree = buildSpreadTree(group.serviceId, feasible, prefs);

  let i = 0;
  for (; i < tasks.length; i++) {
    const task = tasks[i];
    let placed = false;
    for (let path = pickLeaf(tree); path; path = pickLeaf(tree)) {
      const leaf = path[path.length - 1];
      const n = leaf.heap!.pop()!;
      const why = firstFailure(dynamicFilters, group, n);
      if (why) {
        // Final for this group: identical tasks only make a node fuller.
        fail(why);
        continue;
      }
      n.add(task);
      for (const g of path) g.count++;
      leaf.heap!.push(n);
      plan.assignments.push({ taskId: task.id, nodeId: n.node.id });
      placed = true;
      break;
    }
    if (!placed) break;
  }
  if (i < tasks.length) {
    const reason = explain(failures);
    for (; i < tasks.length; i++) plan.pending.set(tasks[i].id, reason);
  }
}

function firstFailure(list: readonly (typeof filters)[number][], g: TaskGroup, n: NodeInfo) {
  for (const f of list) {
    const why = f.check(g, n);
    if (why) return why;
  }
  return undefined;
}

/** "no suitable node (insufficient memory on 3 nodes; scheduling constraints not satisfied on 1 node)" */
export function explain(failures: Map<string, number>): string {
  if (failures.size === 0) return 'no suitable node (no nodes available)';
  const parts = [...failures]
    .sort((a, b) => b[1] - a[1])
    .map(([why, n]) => `${why} on ${n} node${n === 1 ? '' : 's'}`);
  return `no suitable node (${parts.join('; ')})`;
}
