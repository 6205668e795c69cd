// What a reconcile pass wants written. Changes are computed from a snapshot and applied to fresh
// state inside the commit, so a change that no longer makes sense (the task moved on) is dropped.
import type { DesiredState, Task } from '../../shared/model/index.js';
import { isForward } from '../../shared/model/index.js';
import type { StoreTx } from '../store/index.js';
import { attachNetworks } from '../tasks/index.js';

export type Change =
  | { op: 'create'; task: Task }
  | { op: 'desired'; taskId: string; desiredState: DesiredState }
  | { op: 'orphan'; taskId: string; message: string }
  | { op: 'delete'; taskId: string };

const desiredOrder: Record<DesiredState, number> = { running: 0, shutdown: 1, remove: 2 };

export function applyChange(tx: StoreTx, c: Change, timestamp: string): void {
  switch (c.op) {
    case 'create':
      attachNetworks(tx, c.task);
      tx.create('task', c.task);
      return;
    case 'delete':
      if (tx.get('task', c.taskId)) tx.delete('task', c.taskId);
      return;
    case 'desired': {
      const t = tx.get('task', c.taskId);
      // Desired state only escalates: running → shutdown → remove.
      if (!t || desiredOrder[c.desiredState] <= desiredOrder[t.desiredState]) return;
      t.desiredState = c.desiredState;
      tx.update('task', t);
      return;
    }
    case 'orphan': {
      const t = tx.get('task', c.taskId);
      if (!t) return;
      if (isForward(t.status.state, 'orphaned'))
        t.status = { ...t.status, state: 'orphaned', message: c.message, timestamp };
      if (t.desiredState === 'running') t.desiredState = 'shutdown';
      tx.update('task', t);
      return;
    }
  }
}
