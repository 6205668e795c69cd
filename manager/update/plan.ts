// One updater pass over one service, as a pure function of the service, its tasks, the clock and
// what this leader remembers of the update (failures seen, when tasks became ready). It returns
// the writes to make; the Updater commits them. Nothing here touches the store.
//
// Update status lifecycle (service.updateStatus, `serviceVersion` = the version it is about):
//
//   (new version with dirty tasks) → updating ──all slots replaced, monitor over──→ completed
//                                      │ failure beyond maxFailureRatio
//                                      ├─ pause ──→ paused (a newer version resumes)
//                                      └─ rollback → rollback_started → rollback_completed
//                                                        └─ failure ──→ rollback_paused
import type { Service, Task, UpdateConfig, UpdateStatus } from '../../shared/model/index.js';
import { newTask, slotKey } from '../tasks/index.js';
import { isDirty, isFailure, isReady, isStopped } from './dirty.js';
import { groupBy } from '../../shared/collections/group-by.js';

/** What this leader remembers about the update of one service version. Lost on leader change. */
export interface UpdateRun {
  serviceVersion: number;
  failedTaskIds: Set<string>;
  /** Slots whose new task failed: no longer in flight (the orchestrator restarts them). */
  failedSlots: Set<string>;
  /** Task id → when this updater first saw it ready. */
  readySince: Map<string, number>;
}

export type UpdateChange =
  | { op: 'shutdown'; taskId: string }
  | { op: 'create'; task: Task }
  | { op: 'promote'; taskId: string }
  | { op: 'status'; status: UpdateStatus }
  | { op: 'rollback'; status: UpdateStatus };

export interface ServicePlan {
  changes: UpdateChange[];
  /** Dirty tasks whose replacement this pass starts. */
  replaced: string[];
  /** When a later pass has work (delay or monitor period ending). */
  wakeAtMs?: number;
}

export function newRun(serviceVersion: number): UpdateRun {
  return {
    serviceVersion,
    failedTaskIds: new Set(),
    failedSlots: new Set(),
    readySince: new Map(),
  };
}

const activeStates = new Set(['updating', 'rollback_started', 'paused', 'rollback_paused']);

export function planService(
  service: Service,
  tasks: readonly Task[],
  run: UpdateRun,
  nowMs: number,
  newId?: () => string,
): ServicePlan {
  const plan: ServicePlan = { changes: [], replaced: [] };
  const nowIso = new Date(nowMs).toISOString();
  const V = service.version;
  const mine = tasks.filter((t) => t.serviceId === service.id);
  const running = mine.filter((t) => t.desiredState === 'running');
  const anyDirty = running.some((t) => isDirty(t, service));

  let status = service.updateStatus;
  if (status?.serviceVersion !== V) {
    // A new version: start an update if it changes tasks, or carry on an unfinished one.
    if (!anyDirty && !(status && activeStates.has(status.state))) return plan;
    const state = status?.state === 'rollback_started' ? 'rollback_started' : 'updating';
    status = {
      state,
      startedAt: nowIso,
      message: state === 'updating' ? 'update in progress' : status!.message,
      serviceVersion: V,
    };
    plan.changes.push({ op: 'status', status });
  }
  if (status.state !== 'updating' && status.state !== 'rollback_started') return plan;
  const rollingBack = status.state === 'rollback_started';
  const cfg: UpdateConfig = rollingBack ? service.spec.rollbackConfig : service.spec.updateConfig;
  const startedAt = status.startedAt ?? nowIso;

  // Observe: tasks of the new spec that became ready, and those that failed.
  const monitorMs = cfg.monitorNs / 1e6;
  let failedTask: Task | undefined;
  for (const t of mine) {
    if (isDirty(t, service) || t.createdAt < startedAt || run.failedTaskIds.has(t.id)) continue;
    if (isReady(t) && !run.readySince.has(t.id)) run.readySince.set(t.id, nowMs);
    if (!isFailure(t)) continue;
    const since = run.readySince.get(t.id);
    if (since !== undefined && nowMs - since > monitorMs) continue;
    run.failedTaskIds.add(t.id);
    run.failedSlots.add(slotKey(t));
    failedTask ??= t;
  }
  const slotsWanted =
    'replicated' in service.spec.mode
      ? service.spec.mode.replicated.replicas
      : new Set(running.map(slotKey)).size;
  if (failedTask && cfg.failureAction !== 'continue') {
    const ratio = run.failedTaskIds.size / Math.max(1, slotsWanted);
    if (ratio > cfg.maxFailureRatio) {
      const why = `due to failure or early termination of task ${failedTask.id}`;
      if (rollingBack || cfg.failureAction === 'pause' || !service.previousSpec) {
        // Never roll back a rollback (as Swarm); without a previous spec there is nothing to restore.
        const what = rollingBack ? 'rollback' : 'update';
        plan.changes.push({
          op: 'status',
          status: {
            ...status,
            state: rollingBack ? 'rollback_paused' : 'paused',
            message: `${what} paused ${why}`,
          },
        });
      } else {
        plan.changes.push({
          op: 'rollback',
          status: {
            state: 'rollback_started',
            startedAt: nowIso,
            message: `update rolled back ${why}`,
          },
        });
      }
      return plan;
    }
  }

  // Group every task by slot; classify the slots.
  const bySlot = groupBy(mine, slotKey);
  let inFlight = 0;
  const dirtySlots: Task[][] = [];
  for (const [key, all] of bySlot) {
    const want = all.filter((t) => t.desiredState === 'running');
    if (want.length === 0) continue;
    const clean = want.filter((t) => !isDirty(t, service));
    if (clean.length === 0) {
      dirtySlots.push(want);
      continue;
    }
    const placeholder = clean.find((t) => t.status.state === 'new');
    if (placeholder) {
      // Stop-first: the new task waits until every other task of its slot has stopped.
      const others = all.filter((t) => t.id !== placeholder.id && t.status.state !== 'new');
      if (others.every(isStopped)) plan.changes.push({ op: 'promote', taskId: placeholder.id });
      inFlight++;
      continue;
    }
    if (want.length > 1) {
      // Start-first: retire the others once a task of the current spec is ready.
      const keeper = clean
        .filter(isReady)
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))[0];
      if (keeper) {
        for (const t of want) if (t !== keeper) plan.changes.push({ op: 'shutdown', taskId: t.id });
      } else inFlight++;
      continue;
    }
    const t = clean[0];
    if (!isReady(t) && !isFailure(t) && !run.failedSlots.has(key)) inFlight++;
  }

  // Start replacing dirty slots, at most `parallelism` in flight, `delay` after the last finished.
  const readyTimes = [...run.readySince.values()];
  const lastReadyMs = readyTimes.length ? Math.max(...readyTimes) : undefined;
  const delayMs = cfg.delayNs / 1e6;
  const limit = cfg.parallelism === 0 ? Infinity : cfg.parallelism;
  let budget = limit - inFlight;
  if (delayMs > 0 && lastReadyMs !== undefined && nowMs < lastReadyMs + delayMs && budget > 0) {
    if (dirtySlots.length) plan.wakeAtMs = lastReadyMs + delayMs;
    budget = 0;
  }
  dirtySlots.sort(
    (a, b) => a[0].slot - b[0].slot || ((a[0].nodeId ?? '') < (b[0].nodeId ?? '') ? -1 : 1),
  );
  for (const old of dirtySlots) {
    if (budget <= 0) break;
    budget--;
    const where = { slot: old[0].slot, ...(old[0].slot === 0 ? { nodeId: old[0].nodeId } : {}) };
    const next = newTask(service, where, nowMs, newId?.());
    const alive = old.some((t) => !isStopped(t));
    if (cfg.order === 'start-first' && alive) {
      next.status.message = 'created by the updater (start-first)';
    } else {
      for (const t of old) plan.changes.push({ op: 'shutdown', taskId: t.id });
      next.status = alive
        ? { state: 'new', timestamp: nowIso, message: 'waiting for the previous task to stop' }
        : { ...next.status, message: 'created by the updater' };
    }
    plan.changes.push({ op: 'create', task: next });
    plan.replaced.push(...old.map((t) => t.id));
    inFlight++;
  }

  // Done when nothing is dirty or in flight and the last task has been watched for `monitor`.
  if (dirtySlots.length === 0 && inFlight === 0 && plan.changes.every((c) => c.op === 'status')) {
    if (monitorMs > 0 && lastReadyMs !== undefined && nowMs < lastReadyMs + monitorMs) {
      plan.wakeAtMs = lastReadyMs + monitorMs;
      return plan;
    }
    plan.changes.push({
      op: 'status',
      status: {
        ...status,
        state: rollingBack ? 'rollback_completed' : 'completed',
        completedAt: nowIso,
        message: rollingBack ? 'rollback completed' : 'update completed',
      },
    });
  }
  return plan;
}
