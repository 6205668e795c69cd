// Keeps one task of each global service on every eligible node: ready, active and matching the
// constraints. A paused node keeps its task but gets no new one; a drained, down or no longer
// matching node has its task shut down (down nodes are the node watcher's to orphan).
import type { Node, Service, Task } from '../../shared/model/index.js';
import { isTerminal } from '../../shared/model/index.js';
import { matchConstraints, parseConstraints, type Constraint } from '../placement/index.js';
import { preferred, startFirstPair, wakeAt, type PassContext } from './context.js';
import { newTask } from '../tasks/index.js';

export function reconcileGlobal(
  service: Service,
  tasks: readonly Task[],
  nodes: readonly Node[],
  ctx: PassContext,
): void {
  if (!('global' in service.spec.mode)) return;
  let constraints: Constraint[];
  try {
    constraints = parseConstraints(service.spec.taskTemplate.placement.constraints);
  } catch {
    // An invalid constraint matches nothing; the API validates specs before they get here.
    constraints = [{ key: 'node.id', op: '==', value: '' }];
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const active = new Map<string, Task>();
  for (const t of tasks) {
    if (t.desiredState !== 'running' || !t.nodeId) continue;
    const other = active.get(t.nodeId);
    const newer = other && startFirstPair(other, t);
    if (!other) active.set(t.nodeId, t);
    else if (newer) active.set(t.nodeId, newer);
    else {
      const keep = preferred(other, t);
      active.set(t.nodeId, keep);
      ctx.changes.push({
        op: 'desired',
        taskId: (keep === t ? other : t).id,
        desiredState: 'shutdown',
      });
    }
  }

  for (const [nodeId, t] of active) {
    const node = byId.get(nodeId);
    const keep =
      node &&
      node.spec.availability !== 'drain' &&
      node.status.state !== 'down' &&
      matchConstraints(node, constraints);
    if (!keep) {
      ctx.changes.push({ op: 'desired', taskId: t.id, desiredState: 'shutdown' });
      active.delete(nodeId);
      continue;
    }
    if (!isTerminal(t.status.state)) continue;
    const d = ctx.restarts.decide(t, t.spec.restartPolicy, ctx.nowMs);
    if (!d.restart) {
      wakeAt(ctx, d.retryAtMs);
      continue;
    }
    ctx.changes.push({ op: 'desired', taskId: t.id, desiredState: 'shutdown' });
    ctx.changes.push({
      op: 'create',
      task: newTask(service, { slot: 0, nodeId }, ctx.nowMs, ctx.newId?.()),
    });
  }

  for (const node of nodes) {
    if (active.has(node.id)) continue;
    if (node.status.state !== 'ready' || node.spec.availability !== 'active') continue;
    if (!matchConstraints(node, constraints)) continue;
    ctx.changes.push({
      op: 'create',
      task: newTask(service, { slot: 0, nodeId: node.id }, ctx.nowMs, ctx.newId?.()),
    });
  }
}
