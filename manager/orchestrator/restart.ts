// Restart supervision: decides whether a task that stopped on its own gets a successor in its slot,
// and when. Condition: none | on-failure (anything but a clean exit) | any. Delay counts from the
// moment this supervisor first saw the task stopped; attempts count within the window.
//
// Attempt history is kept in memory: after a leader change the counts start again (Swarm does
// the same), which at worst grants a service a few more attempts.
import type { RestartPolicy, Task } from '../../shared/model/index.js';
import { slotKey } from '../tasks/index.js';

export type RestartDecision = { restart: true } | { restart: false; retryAtMs?: number };

export class RestartSupervisor {
  private readonly stoppedSeenAt = new Map<string, number>();
  private readonly attempts = new Map<string, number[]>();

  decide(task: Task, policy: RestartPolicy, nowMs: number): RestartDecision {
    if (!shouldRestart(task, policy.condition)) return { restart: false };
    const key = `${task.serviceId}/${slotKey(task)}`;
    const windowMs = policy.windowNs / 1e6;
    const times = (this.attempts.get(key) ?? []).filter((t) => !windowMs || nowMs - t < windowMs);
    if (policy.maxAttempts > 0 && times.length >= policy.maxAttempts) {
      // Within a window, a later pass may allow the attempt once the oldest one ages out.
      return windowMs ? { restart: false, retryAtMs: times[0] + windowMs } : { restart: false };
    }
    let seen = this.stoppedSeenAt.get(task.id);
    if (seen === undefined) this.stoppedSeenAt.set(task.id, (seen = nowMs));
    const at = seen + policy.delayNs / 1e6;
    if (nowMs < at) return { restart: false, retryAtMs: at };
    times.push(nowMs);
    this.attempts.set(key, times);
    this.stoppedSeenAt.delete(task.id);
    return { restart: true };
  }

  /** Tasks and slots remembered (stopped tasks seen, restart attempts). */
  get size(): number {
    return this.stoppedSeenAt.size + this.attempts.size;
  }

  /** Forgets tasks that no longer exist, so the maps stay bounded. */
  forget(liveTaskIds: Set<string>, liveKeys: Set<string>): void {
    for (const id of this.stoppedSeenAt.keys())
      if (!liveTaskIds.has(id)) this.stoppedSeenAt.delete(id);
    for (const key of this.attempts.keys()) if (!liveKeys.has(key)) this.attempts.delete(key);
  }
}

function shouldRestart(task: Task, condition: RestartPolicy['condition']): boolean {
  // A task lost with its node is not the workload's doing: always replace it.
  if (task.status.state === 'orphaned') return true;
  switch (condition) {
    case 'none':
      return false;
    case 'on-failure':
      return !(task.status.state === 'complete' && (task.status.exitCode ?? 0) === 0);
    default:
      return true;
  }
}
