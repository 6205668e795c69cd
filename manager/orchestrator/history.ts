// Task history: per slot (or node, for global services) keep at most `limit` stopped tasks that
// no longer should run, deleting the oldest. Tasks of removed services are asked to stop
// (desiredState remove) and deleted once their agent reported them stopped, or at once if no
// agent ever had them.
import type { Task } from '../../shared/model/index.js';
import { isTerminal } from '../../shared/model/index.js';
import type { PassContext } from './context.js';
import { slotKey } from '../tasks/index.js';
import { groupBy } from '../../shared/collections/group-by.js';

export function trimHistory(tasks: readonly Task[], limit: number, ctx: PassContext): void {
  const stopped = tasks.filter((t) => t.desiredState !== 'running' && isTerminal(t.status.state));
  const bySlot = groupBy(stopped, slotKey);
  for (const list of bySlot.values()) {
    if (list.length <= limit) continue;
    list.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    for (const t of list.slice(0, list.length - limit))
      ctx.changes.push({ op: 'delete', taskId: t.id });
  }
}

export function reapRemovedService(tasks: readonly Task[], ctx: PassContext): void {
  for (const t of tasks) {
    const neverRan =
      t.nodeId === undefined || t.status.state === 'pending' || t.status.state === 'new';
    if (neverRan || isTerminal(t.status.state)) ctx.changes.push({ op: 'delete', taskId: t.id });
    else if (t.desiredState !== 'remove')
      ctx.changes.push({ op: 'desired', taskId: t.id, desiredState: 'remove' });
  }
}
