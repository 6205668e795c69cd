// Rolling updates and rollbacks (leader only). When a service's spec changes, replaces its tasks
// slot by slot following the update config (parallelism, delay, order, monitor, failure action,
// max failure ratio) and records progress in service.updateStatus. It coordinates only through
// the store: it creates and retires tasks; placing them is the scheduler's, running them the
// agents', keeping the replica count the orchestrator's. The per-pass logic is in plan.ts.
import { ReconcileLoop, type ReconcileLoopOptions } from '../reconcile-loop.js';
import type { Logger } from '../../shared/log/index.js';
import { isFlotillaError } from '../../shared/errors/index.js';
import type { Service } from '../../shared/model/index.js';
import { assignVips } from '../networks/index.js';
import { assignPorts } from '../ingress/index.js';
import type { ObjectStore, StoreTx } from '../store/index.js';
import { concernsUpdater } from '../tasks/index.js';
import { newRun, planService, type UpdateChange, type UpdateRun } from './plan.js';

export interface UpdaterDeps {
  store: ObjectStore;
  log: Logger;
  clock: { now(): number };
  /** @default 50 */
  debounceMs?: number;
  /** Reconcile pass durations (ReconcileLoopOptions.onPass). */
  onPass?: ReconcileLoopOptions['onPass'];
  newId?: () => string;
}

export class Updater {
  private readonly log: Logger;
  private readonly runs = new Map<string, UpdateRun>();
  private unsubscribe?: () => void;
  private readonly loop: ReconcileLoop;

  constructor(private readonly deps: UpdaterDeps) {
    this.log = deps.log.child({ component: 'updater' });
    this.loop = new ReconcileLoop({
      name: 'update pass',
      log: this.log,
      clock: deps.clock,
      debounceMs: deps.debounceMs,
      onPass: deps.onPass,
      pass: () => this.runPassDetailed(),
    });
  }

  async start(): Promise<void> {
    // What a previous term as leader remembered may be stale: start from the store.
    this.runs.clear();
    this.unsubscribe = this.deps.store.subscribe((e) => {
      const service =
        e.kind === 'task' ? this.deps.store.get('service', e.object.serviceId) : undefined;
      if (concernsUpdater(e, service)) this.loop.kick();
    });
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.loop.stop();
  }

  /** One pass over every service; returns the ids of the tasks whose replacement it started. */
  async runPass(): Promise<string[]> {
    return (await this.runPassDetailed()).replaced;
  }

  /** One pass, with the earliest time a later pass has timed work (delay, monitor). */
  async runPassDetailed(): Promise<{ replaced: string[]; wakeAtMs?: number }> {
    const { store, clock } = this.deps;
    const tasks = store.list('task');
    const services = store.list('service');
    const replaced: string[] = [];
    let wakeAtMs: number | undefined;
    for (const id of this.runs.keys()) if (!services.some((s) => s.id === id)) this.runs.delete(id);
    for (const service of services) {
      let run = this.runs.get(service.id);
      if (!run || run.serviceVersion !== service.version) {
        run = newRun(service.version);
        this.runs.set(service.id, run);
      }
      const nowMs = clock.now();
      const plan = planService(service, tasks, run, nowMs, this.deps.newId);
      if (plan.wakeAtMs !== undefined) wakeAtMs = Math.min(wakeAtMs ?? Infinity, plan.wakeAtMs);
      if (plan.changes.length === 0) continue;
      const done = await store.update((tx) =>
        commit(tx, store, service, plan.changes, new Date(nowMs).toISOString()),
      );
      // Outside the transaction function: the store may run it more than once.
      if (!done) continue;
      replaced.push(...plan.replaced);
      this.logChanges(service, plan.changes, plan.replaced);
    }
    return { replaced, wakeAtMs };
  }

  private logChanges(service: Service, changes: UpdateChange[], replaced: string[]): void {
    const log = this.log.child({ serviceId: service.id });
    for (const c of changes)
      if (c.op === 'status' || c.op === 'rollback')
        log.info({ state: c.status.state, message: c.status.message }, 'update status changed');
    if (replaced.length) log.info({ tasks: replaced.length }, 'replacing tasks with the new spec');
  }
}

/** Applies one service's changes if the service is still at the version they were planned for. */
function commit(
  tx: StoreTx,
  store: Pick<ObjectStore, 'list'>,
  planned: Service,
  changes: UpdateChange[],
  nowIso: string,
): boolean {
  const svc = tx.get('service', planned.id);
  if (!svc || svc.version !== planned.version) return false;
  // One write per object: etcd refuses a transaction that names a key twice.
  let serviceChanged = false;
  for (const c of changes) {
    switch (c.op) {
      case 'status':
        svc.updateStatus = c.status;
        serviceChanged = true;
        break;
      case 'rollback': {
        if (!svc.previousSpec) break;
        // The previous spec becomes current under a new version, as `service rollback` does.
        const rolled: Service = {
          ...svc,
          spec: svc.previousSpec,
          previousSpec: svc.spec,
          version: svc.version + 1,
          updatedAt: nowIso,
        };
        rolled.updateStatus = { ...c.status, serviceVersion: rolled.version };
        try {
          Object.assign(svc, assignVips(tx, assignPorts(tx, store, rolled)));
        } catch (err) {
          // Another service took a port the previous spec fixes meanwhile: ingress ports are
          // unique (claimed), so the rollback cannot happen; the update pauses and says why.
          // The same when a network of the previous spec was removed.
          if (
            !isFlotillaError(err) ||
            (err.code !== 'SERVICE_PORT_IN_USE' && err.code !== 'NETWORK_NOT_FOUND')
          )
            throw err;
          svc.updateStatus = {
            ...c.status,
            state: 'paused',
            message: `update paused: cannot roll back: ${err.message}`,
          };
        }
        serviceChanged = true;
        break;
      }
      case 'create':
        tx.create('task', c.task);
        break;
      case 'shutdown': {
        const t = tx.get('task', c.taskId);
        if (!t || t.desiredState !== 'running') break;
        t.desiredState = 'shutdown';
        tx.update('task', t);
        break;
      }
      case 'promote': {
        const t = tx.get('task', c.taskId);
        if (!t || t.status.state !== 'new' || t.desiredState !== 'running') break;
        t.status = { state: 'pending', timestamp: nowIso, message: 'previous task stopped' };
        tx.update('task', t);
        break;
      }
    }
  }
  if (serviceChanged) tx.update('service', svc);
  return true;
}
