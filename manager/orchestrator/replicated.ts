// Keeps each replicated service at its declared number of slots. It creates and retires tasks;
// it never picks nodes (scheduler), never talks to agents (dispatcher) and leaves tasks of an
// older service version to the updater.
//
// A slot is occupied while it has a task whose desiredState is running, whatever that task's
// state: a stopped task waiting out its restart delay, or one its restart policy leaves stopped
// (condition none, attempts used up), still holds its slot so it is not recreated behind the
// policy's back.
import type { Service, Task } from '../../shared/model/index.js';
import { isTerminal } from '../../shared/model/index.js';
import { preferred, startFirstPair, wakeAt, type PassContext } from './context.js';
import { newTask } from '../tasks/index.js';

export function reconcileReplicated(
  service: Service,
  tasks: readonly Task[],
  ctx: PassContext,
): void {
  if (!('replicated' in service.spec.mode)) return;
  const want = service.spec.mode.replicated.replicas;
  const active = new Map<number, Task>();
  for (const t of tasks) {
    if (t.desiredState !== 'running') continue;
    const other = active.get(t.slot);
    if (!other) {
      active.set(t.slot, t);
      continue;
    }
    const newer = startFirstPair(other, t);
    if (newer) {
      active.set(t.slot, newer);
      continue;
    }
    // Two tasks should never run in one slot; keep the one furthest along.
    const keep = preferred(other, t);
    const drop = keep === t ? other : t;
    active.set(t.slot, keep);
    ctx.changes.push({ op: 'desired', taskId: drop.id, desiredState: 'shutdown' });
  }

  for (const [slot, t] of active) {
    if (!isTerminal(t.status.state)) continue;
    const d = ctx.restarts.decide(t, t.spec.restartPolicy, ctx.nowMs);
    if (!d.restart) {
      wakeAt(ctx, d.retryAtMs);
      continue;
    }
    ctx.changes.push({ op: 'desired', taskId: t.id, desiredState: 'shutdown' });
    const next = newTask(service, { slot }, ctx.nowMs, ctx.newId?.());
    ctx.changes.push({ op: 'create', task: next });
    active.set(slot, next);
  }

  // Scale down: retire the highest slots first, so `web.1`..`web.N` survive.
  if (active.size > want) {
    const slots = [...active.keys()].sort((a, b) => a - b);
    for (const slot of slots.slice(want).reverse()) {
      ctx.changes.push({ op: 'desired', taskId: active.get(slot)!.id, desiredState: 'shutdown' });
      active.delete(slot);
    }
  }
  // Scale up: fill the lowest free slot numbers (as many as this pass may create).
  for (let slot = 1; active.size < want; slot++) {
    if (active.has(slot)) continue;
    if (ctx.createBudget !== undefined) {
      if (ctx.createBudget <= 0) {
        wakeAt(ctx, ctx.nowMs);
        break;
      }
      ctx.createBudget--;
    }
    const t = newTask(service, { slot }, ctx.nowMs, ctx.newId?.());
    ctx.changes.push({ op: 'create', task: t });
    active.set(slot, t);
  }
}
