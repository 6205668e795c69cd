// Questions tests ask of the store after a pass.
import type { ObjectStore } from '../../../manager/store/types.js';
import type { Task } from '../../../shared/model/index.js';

export function tasksOf(store: ObjectStore, serviceId: string): Task[] {
  return store
    .list('task')
    .filter((t) => t.serviceId === serviceId)
    .sort((a, b) => a.slot - b.slot || (a.createdAt < b.createdAt ? -1 : 1));
}

/** Slot → number of tasks in it that should run (the invariant is exactly one). */
export function runningBySlot(store: ObjectStore, serviceId: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const t of tasksOf(store, serviceId))
    if (t.desiredState === 'running') m.set(t.slot, (m.get(t.slot) ?? 0) + 1);
  return m;
}

/** Polls a synchronous condition (the store's cache, an agent's state) every 100 ms until true. */
export async function waitFor(
  what: string,
  check: () => boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
