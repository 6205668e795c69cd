// Which store events can change what the orchestrator's and the scheduler's passes decide. Each
// pass reads every task, so at 100,000 tasks a pass after every burst of agents' progress reports
// (assigned → … → running, most of the event stream) costs the manager more than those reports'
// writes; events that cannot change a pass's outcome do not start one.
import { isTerminal, type Service, type TaskState } from '../../shared/model/index.js';
import type { StoreEvent } from '../store/index.js';

/**
 * A task that should run, moving forward between assigned and running, changes nothing for the
 * orchestrator: it reads states only to choose between two tasks of one slot, and a slot gets a
 * second task only through a create (an event that counts), and it supervises restarts only of
 * stopped tasks (terminal: counts).
 */
export function concernsOrchestrator(e: StoreEvent): boolean {
  if (isFileObject(e)) return false;
  if (e.kind !== 'task' || e.type === 'delete') return true;
  return !isProgress(e.object.status.state) || e.object.desiredState !== 'running';
}

/**
 * Services alone do not affect placement; nodes do, and tasks to place (pending) or that left
 * their node (stopped or deleted: room again). A task between assigned and running holds its place
 * either way, whatever its desired state (a task shutting down keeps its reservation until it stops).
 */
export function concernsScheduler(e: StoreEvent): boolean {
  if (e.kind === 'service' || e.kind === 'network' || isFileObject(e)) return false;
  if (e.kind === 'node' || e.type === 'delete') return true;
  return !isProgress(e.object.status.state);
}

/**
 * The updater moves a service's tasks to its current version. A task of the current version
 * matters to it only while that version's update or rollback is rolling (it gates the next
 * replacement on the task's progress and counts its failures); a task of another version may be
 * one to replace. Services and nodes always count. `service`: the task's service, from the cache.
 */
export function concernsUpdater(e: StoreEvent, service: Service | undefined): boolean {
  if (isFileObject(e)) return false;
  if (e.kind !== 'task' || !service) return true;
  if (e.object.serviceVersion !== service.version) return true;
  const u = service.updateStatus;
  return (
    u?.serviceVersion === service.version &&
    (u.state === 'updating' || u.state === 'rollback_started')
  );
}

/** Secrets and configs are immutable and never change what runs (a spec change does). */
/** Secrets, configs and standalone containers' attachments: no pass reads them. */
function isFileObject(
  e: StoreEvent,
): e is Extract<StoreEvent, { kind: 'secret' | 'config' | 'attachment' }> {
  return e.kind === 'secret' || e.kind === 'config' || e.kind === 'attachment';
}

/** On a node and not stopped. */
function isProgress(state: TaskState): boolean {
  return state !== 'new' && state !== 'pending' && !isTerminal(state);
}
