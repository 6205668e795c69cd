// A minimal updater so spec changes take effect: when a service's version moves on, replace its
// tasks of older versions one at a time, stop-first, waiting for each replacement to run before
// the next. Update config (parallelism, delay, failure action, order, monitor) and rollback are
// not implemented yet: TODO(update): full rolling updates and rollbacks #update.
import type { Logger } from '../../shared/log/index.js';
import type { Service, Task } from '../../shared/model/index.js';
import { isTerminal } from '../../shared/model/index.js';
import { newTask } from '../tasks/index.js';
import type { ObjectStore } from '../store/types.js';

export interface UpdaterDeps {
  store: ObjectStore;
  log: Logger;
  clock: { now(): number };
  /** @default 20 */
  debounceMs?: number;
  newId?: () => string;
}

/** Stable JSON (sorted keys), so specs compare equal whatever order their fields were written in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/**
 * A task needs replacing when the service moved on and its task template differs from the one the
 * task runs: changing only the replica count or labels of a service replaces nothing (as Swarm).
 */
export function isOutdated(task: Task, service: Service): boolean {
  return (
    task.serviceVersion < service.version &&
    canonical(task.spec) !== canonical(service.spec.taskTemplate)
  );
}

/** The next task to replace, or undefined while a replacement is still starting or none is due. */
export function nextToReplace(service: Service, tasks: readonly Task[]): Task | undefined {
  const active = tasks.filter((t) => t.serviceId === service.id && t.desiredState === 'running');
  const starting = active.some(
    (t) =>
      t.serviceVersion === service.version &&
      t.status.state !== 'running' &&
      !isTerminal(t.status.state),
  );
  if (starting) return undefined;
  return active
    .filter((t) => isOutdated(t, service))
    .sort((a, b) => a.slot - b.slot || ((a.nodeId ?? '') < (b.nodeId ?? '') ? -1 : 1))[0];
}

export class Updater {
  private readonly log: Logger;
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(private readonly deps: UpdaterDeps) {
    this.log = deps.log.child({ component: 'updater' });
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.unsubscribe = this.deps.store.subscribe(() => this.kick());
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    await this.running;
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.runPass()
        .then(() => undefined)
        .catch((err) => this.log.warn({ err }, 'update pass failed, will retry'))
        .finally(() => {
          this.running = undefined;
          if (this.again) {
            this.again = false;
            this.kick();
          }
        });
    }, this.deps.debounceMs ?? 20);
  }

  /** Replaces at most one task per service; returns the ids of the tasks it replaced. */
  async runPass(): Promise<string[]> {
    const tasks = this.deps.store.list('task');
    const replaced: string[] = [];
    for (const service of this.deps.store.list('service')) {
      const old = nextToReplace(service, tasks);
      if (!old) continue;
      const done = await this.deps.store.update((tx) => {
        const fresh = tx.get('task', old.id);
        const svc = tx.get('service', service.id);
        if (!fresh || !svc || fresh.desiredState !== 'running') return false;
        fresh.desiredState = 'shutdown';
        tx.update('task', fresh);
        const where = { slot: fresh.slot, ...(fresh.slot === 0 ? { nodeId: fresh.nodeId } : {}) };
        tx.create('task', newTask(svc, where, this.deps.clock.now(), this.deps.newId?.()));
        return true;
      });
      // Outside the transaction function: the store may run it more than once.
      if (!done) continue;
      replaced.push(old.id);
      this.log.info({ serviceId: service.id, taskId: old.id }, 'replacing task with new spec');
    }
    return replaced;
  }
}
