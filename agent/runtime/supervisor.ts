// Supervises what runs: records exits (conmon's exit files, plus a sweep for missed ones), releases
// what a run held, applies restart policies and auto-remove, and keeps health checks and log
// rotation going for started and adopted containers. Starting and removing belong to the engine,
// which the supervisor calls back through its deps.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRecord } from './container/record.js';
import { processStartTime } from './conmon/conmon.js';
import { writeCtl } from './conmon/ctl.js';
import { ExitWatcher, persistedExit } from './conmon/exit-watcher.js';
import type { RuntimeContext } from './context.js';
import { HealthMonitor } from './health/monitor.js';
import { spoolLimits } from './logs/drivers/config.js';
import { LogRotator } from './logs/rotation.js';
import { LogShippers } from './logs/shippers.js';
import { restartDelayMs, shouldRestart } from './restart/policy.js';
import { unmountShareableShm } from './bundle/shared-ipc.js';

/** How often running records are checked for an exit code that the exit watcher missed. */
const REAP_INTERVAL_MS = 5000;

export interface SupervisorDeps {
  /** Starts a container (the caller holds its lock); `restarting` marks a policy restart. */
  start(rec: ContainerRecord, restarting: boolean): Promise<void>;
  /** Removes a container with its anonymous volumes (--rm). */
  remove(id: string): Promise<void>;
  /** Runs a health probe inside the container. */
  probe(
    rec: ContainerRecord,
    cmd: string[],
    timeoutMs: number,
  ): Promise<{ exitCode: number; output: string }>;
  /** The container's health checks have ended: what runs them may go. */
  endProbes?(id: string): void;
}

export class Supervisor {
  private readonly exits: ExitWatcher;
  private readonly health: HealthMonitor;
  private readonly rotator: LogRotator;
  private readonly shippers: LogShippers;
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  private reaper?: NodeJS.Timeout;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly deps: SupervisorDeps,
  ) {
    this.exits = new ExitWatcher({
      exitDir: ctx.paths.exitDir,
      onExit: (id, code) => void this.onExit(id, code),
    });
    this.health = new HealthMonitor({
      log: ctx.log,
      exec: (rec, cmd, timeoutMs) => deps.probe(rec, cmd, timeoutMs),
      ended: (id) => deps.endProbes?.(id),
      onChange: (rec, run) => {
        void ctx.store.save(rec, { durable: run.from !== run.to });
        ctx.events.publish(rec, 'health_status', { health_status: rec.state.health?.Status ?? '' });
        ctx.events.checked(rec.id, run);
      },
    });
    this.shippers = new LogShippers({ log: ctx.log, dirOf: (id) => ctx.store.dirOf(id) });
    this.rotator = new LogRotator({
      reopen: (id) => writeCtl(ctx.bundleDir(id), '2 0 0'),
      canRotate: (id) => this.shippers.canRotate(id),
      onError: (err, id) => ctx.log.warn({ err, containerId: id }, 'log rotation failed'),
    });
  }

  /** Watches exits and logs; call once live restore has settled the records. */
  async start(): Promise<void> {
    await this.exits.start();
    this.rotator.start();
    // Safety net: conmon also writes <persist>/exit. If the exit-dir file was missed (seen once
    // in manual testing, cause not found), a running record with that file is settled anyway.
    this.reaper = setInterval(() => void this.reapLostExits(), REAP_INTERVAL_MS);
    this.reaper.unref();
  }

  /** Stops watching; the containers keep running under conmon (live restore adopts them). */
  async stop(): Promise<void> {
    await this.exits.stop();
    if (this.reaper) clearInterval(this.reaper);
    this.health.stopAll();
    this.rotator.stop();
    await this.shippers.stopAll();
    for (const t of this.restartTimers.values()) clearTimeout(t);
  }

  /** Before a start: a pending restart timer is void, and the next exit file is a new one. */
  beforeStart(rec: ContainerRecord): void {
    const timer = this.restartTimers.get(rec.id);
    if (timer) {
      clearTimeout(timer);
      this.restartTimers.delete(rec.id);
    }
    this.exits.forget(rec.id);
  }

  /** After a start: health checks and log rotation; a process that already exited is noticed. */
  started(rec: ContainerRecord): void {
    this.adopt(rec);
    // The process may already have exited (e.g. `true`): the exit watcher picks it up.
    void this.exits.scan();
  }

  /** Resumes supervision of a container that kept running while the agent was away. */
  adopt(rec: ContainerRecord): void {
    this.health.watch(rec);
    const driver = rec.options.logDriver ?? 'k8s-file';
    if (driver !== 'none')
      this.rotator.watch(rec.id, rec.logPath, spoolLimits(driver, rec.options.logOpts));
    this.shippers.start(rec);
  }

  /** Are an exited container's last lines still on their way to its log driver? */
  logsPending(id: string): boolean {
    return this.shippers.shipping(id);
  }

  /** Is this conmon still the one we started (same pid and start time)? */
  conmonAlive(rec: ContainerRecord): boolean {
    if (!rec.conmon) return false;
    return processStartTime(rec.conmon.pid) === rec.conmon.startTime;
  }

  /** A restart whose backoff timer has fired is starting now, under the container's lock. */
  restartUnderWay(rec: ContainerRecord): boolean {
    return rec.state.status === 'restarting' && !this.restartTimers.has(rec.id);
  }

  /** A manual stop or removal: no restart is pending any more. */
  cancelRestart(rec: ContainerRecord): void {
    const t = this.restartTimers.get(rec.id);
    if (t) clearTimeout(t);
    this.restartTimers.delete(rec.id);
    if (rec.state.status === 'restarting') rec.state.status = 'exited';
    rec.restartAt = undefined;
  }

  /** Records an exit (code from conmon) and releases what the run held. Idempotent per run. */
  async recordExit(rec: ContainerRecord, code: number): Promise<void> {
    if (rec.state.status !== 'running' && rec.state.status !== 'paused') return;
    const oom = existsSync(join(this.ctx.persistDir(rec.id), 'oom'));
    this.health.unwatch(rec.id);
    this.rotator.unwatch(rec.id);
    rec.state = {
      ...rec.state,
      status: 'exited',
      pid: 0,
      exitCode: code,
      oomKilled: oom,
      finishedAt: new Date().toISOString(),
    };
    rec.conmon = undefined;
    // The last lines reach the driver before anyone learns of the exit: `logs` after `run` has them.
    await this.shippers.finish(rec);
    // `run` (wait condition next-exit) learns the code now; `wait`, the executor and builds wait
    // for the settled exit, after the run is released (runc state, network, mounts: 0.1-0.5 s of
    // child processes). A later start or rm waits for the release through the container's lock.
    this.ctx.events.exited(rec.id, code);
    await this.releaseRun(rec);
    await this.ctx.store.save(rec);
    if (oom) this.ctx.events.publish(rec, 'oom');
    this.ctx.events.publish(rec, 'die', { exitCode: String(code) });
    this.ctx.events.settled(rec.id, code);
    this.ctx.log.info({ containerId: rec.id, exitCode: code, oom }, 'container exited');
  }

  /** For removal: health checks end and whatever a run still holds is released. */
  async release(rec: ContainerRecord): Promise<void> {
    this.health.unwatch(rec.id);
    await this.releaseRun(rec);
  }

  /** Applies auto-remove or the restart policy to a container that has just exited. */
  afterExit(rec: ContainerRecord): void {
    if (rec.options.autoRemove) {
      void this.deps
        .remove(rec.id)
        .catch((err) => this.ctx.log.warn({ err }, 'auto-remove failed'));
      return;
    }
    const startedMs = Date.parse(rec.state.startedAt);
    const ranMs = Date.parse(rec.state.finishedAt) - startedMs;
    if (
      !shouldRestart(
        rec.options.restartPolicy,
        rec.state.exitCode,
        rec.restartCount,
        rec.manuallyStopped,
      )
    )
      return;
    this.scheduleRestart(rec, restartDelayMs(rec.restartCount, ranMs));
  }

  scheduleRestart(rec: ContainerRecord, delayMs: number): void {
    rec.restartAt = new Date(Date.now() + delayMs).toISOString();
    rec.state.status = 'restarting';
    void this.ctx.store.save(rec);
    const t = setTimeout(() => {
      this.restartTimers.delete(rec.id);
      if (!this.ctx.store.find(rec.id) || rec.state.status !== 'restarting') return;
      rec.restartCount++;
      void this.ctx.lock
        .run(rec.id, () => this.deps.start(rec, true))
        .catch((err) => {
          this.ctx.log.warn({ err, containerId: rec.id }, 'restart failed');
          rec.state.status = 'exited';
          void this.ctx.store.save(rec);
        });
    }, delayMs);
    this.restartTimers.set(rec.id, t);
  }

  private async onExit(id: string, code: number): Promise<void> {
    const rec = this.ctx.store.find(id);
    if (!rec) {
      await rm(join(this.ctx.paths.exitDir, id), { force: true });
      return;
    }
    await this.ctx.lock.run(id, () => this.recordExit(rec, code));
    this.afterExit(rec);
  }

  private async reapLostExits(): Promise<void> {
    for (const rec of this.ctx.store.all()) {
      if (rec.state.status !== 'running' || this.ctx.lock.busy(rec.id)) continue;
      const code = persistedExit(this.ctx.persistDir(rec.id));
      if (code === undefined) continue;
      this.ctx.log.warn({ containerId: rec.id, exitCode: code }, 'exit noticed late');
      await this.onExit(rec.id, code);
    }
  }

  /** runc state, network, mounts, bundle: everything a run holds except the record and log. */
  private async releaseRun(rec: ContainerRecord): Promise<void> {
    const { ctx } = this;
    // The process is gone: runc's state and the network namespace are independent of each
    // other, so they go in parallel; the rootfs is unmounted once runc has let go of it.
    await Promise.all([
      ctx
        .runtimeOf(rec)
        .delete(rec.id, true)
        .catch((err) => ctx.log.warn({ err, containerId: rec.id }, 'runc delete failed'))
        .then(() => ctx.deps.snapshotter.unmount(rec.id))
        .catch((err) => ctx.log.warn({ err }, 'unmount failed')),
      ctx.deps.network
        ?.detach(rec.id)
        .catch((err) => ctx.log.warn({ err }, 'network detach failed')),
      rm(join(ctx.paths.exitDir, rec.id), { force: true }),
      rec.options.ipcMode === 'shareable' ? unmountShareableShm(ctx.bundleDir(rec.id)) : undefined,
    ]);
    await Promise.all([
      rm(ctx.bundleDir(rec.id), { recursive: true, force: true }),
      rm(ctx.persistDir(rec.id), { recursive: true, force: true }),
    ]);
    this.exits.forget(rec.id);
  }
}
