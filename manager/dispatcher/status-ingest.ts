// Task status reports from agents: checked when they arrive, queued (latest per task) and written
// every flush period in parallel batches, only ever moving a task forward.
import type { AgentMessage__Output } from '../../proto/index.js';
import { isFlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import { isForward, type TaskStatus } from '../../shared/model/index.js';
import type { ObjectStore } from '../store/index.js';
import { commitParallel } from '../tasks/index.js';
import { taskStatusFromWire } from './convert.js';
import { checkStatusReport } from './status-checks.js';

type StatusUpdates = NonNullable<AgentMessage__Output['status']>['updates'];

export interface StatusIngestDeps {
  store: ObjectStore;
  log: Logger;
  /** How long status updates are gathered into one store batch. @default 50 */
  statusFlushMs?: number;
}

export class StatusIngest {
  private queue = new Map<string, { nodeId: string; status: TaskStatus }>();
  private flushTimer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(private readonly deps: StatusIngestDeps) {}

  /** Reports waiting for the next flush. */
  get pendingCount(): number {
    return this.queue.size;
  }

  start(): void {
    this.flushTimer = setInterval(() => void this.flush(), this.deps.statusFlushMs ?? 50);
  }

  /** Stops the periodic flush (a last `flush()` writes what is still queued). */
  stop(): void {
    clearInterval(this.flushTimer);
  }

  /**
   * Queues a node's status reports. A report about another node's task is refused here, so that
   * it can neither be written nor replace that node's own report in the queue (keyed by task).
   */
  ingest(nodeId: string, updates: StatusUpdates, log: Logger): void {
    const nodeSubnet = this.deps.store.get('node', nodeId)?.subnet;
    for (const u of updates) {
      const reported = taskStatusFromWire(u.status);
      if (!reported || !u.taskId) continue;
      const task = this.deps.store.get('task', u.taskId);
      const v = checkStatusReport({ nodeId, nodeSubnet, task, status: reported });
      if (!v.accept) {
        log.warn(
          { taskId: u.taskId, owner: v.owner },
          "status report for another node's task refused",
        );
        continue;
      }
      if (v.droppedAddress)
        log.warn(
          { taskId: u.taskId, address: v.droppedAddress, subnet: nodeSubnet },
          'task address outside the node subnet ignored',
        );
      this.add(u.taskId, nodeId, v.status);
    }
  }

  /** Queues a checked report, replacing an older one of the same task. */
  add(taskId: string, nodeId: string, status: TaskStatus): void {
    this.queue.set(taskId, { nodeId, status });
  }

  /** Writes the queued reports (joins a flush in progress). */
  flush(): Promise<void> {
    if (this.flushing || this.queue.size === 0) return this.flushing ?? Promise.resolve();
    const queue = this.queue;
    this.queue = new Map();
    this.flushing = commitParallel(
      this.deps.store,
      [...queue],
      (tx, [taskId, { nodeId, status }]) => {
        const t = tx.get('task', taskId);
        // Only the node running a task may report on it, and only forwards.
        if (!t) return;
        if (t.nodeId !== nodeId) {
          this.deps.log.warn(
            { taskId, nodeId, owner: t.nodeId },
            "status report for another node's task refused",
          );
          return;
        }
        const same = t.status.state === status.state;
        const healthOnly = same && t.status.health !== status.health;
        // Tasks adopted after an agent upgrade report the address they never sent before.
        const addressOnly = same && !t.status.address && Boolean(status.address);
        if (!isForward(t.status.state, status.state) && !healthOnly && !addressOnly) return;
        t.status = { ...status, ...(t.status.ports ? { ports: t.status.ports } : {}) };
        tx.update('task', t);
      },
    )
      .catch((err) => {
        // An agent reports a status once: a write that failed for a passing reason (conflicts
        // on a busy store, etcd away) is tried again with the next flush, unless a newer report
        // of the task came meanwhile. Writes that did commit are skipped then (not forward).
        if (isFlotillaError(err) && err.retryable)
          for (const [taskId, u] of queue) if (!this.queue.has(taskId)) this.queue.set(taskId, u);
        this.deps.log.warn({ err, updates: queue.size }, 'writing task status failed');
      })
      .finally(() => (this.flushing = undefined));
    return this.flushing;
  }
}
