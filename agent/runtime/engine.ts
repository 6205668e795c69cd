// The container engine's facade: the ContainerRuntime contract over runc under conmon. It owns the
// user-driven lifecycle (create, start, stop, kill, pause, remove) and the read side, and hands the
// rest to its parts: start/ (the start's ordered steps), supervisor.ts (exits, restarts, health,
// log rotation), restore.ts (live restore at open), attach/hub.ts, exec/sessions.ts, stats/.
import { mkdir } from 'node:fs/promises';
import { FlotillaError } from '../../shared/errors/index.js';
import { AttachHub } from './attach/hub.js';
import { agentBoundingCaps } from './bundle/caps.js';
import { writeCtl } from './conmon/ctl.js';
import { withContainerFs } from './container/filesystem.js';
import { inspectDocument, summaryOf } from './container/inspect.js';
import type { ContainerRecord } from './container/record.js';
import { RuntimeContext, type EngineDeps } from './context.js';
import { createContainer } from './create.js';
import type { WaitCondition } from './events.js';
import { ExecSessions } from './exec/sessions.js';
import type { HealthCheckRun } from './health/monitor.js';
import { checkLogConfig } from './logs/drivers/config.js';
import { readContainerLog } from './logs/read.js';
import { restoreContainers } from './restore.js';
import { StartSequence } from './start/sequence.js';
import { startSteps } from './start/steps.js';
import { StatsCollector } from './stats/collector.js';
import { Supervisor } from './supervisor.js';
import { updateContainer } from './update.js';
import { treeSize } from '../../shared/fs/tree-size.js';
import type { ObjectEvent } from '../../shared/engine/index.js';
import type {
  AttachSession,
  AttachStreams,
  ContainerCreateOptions,
  ContainerFiles,
  ContainerUpdate,
  ContainerEvent,
  ContainerRuntime,
  ContainerStats,
  ContainerSummary,
  ExecOptions,
  LogEntry,
  LogOptions,
} from './types.js';

export type { EngineDeps } from './context.js';

/** How long a forced removal waits for the killed process's exit before recording 137 itself. */
const REMOVE_KILL_WAIT_MS = 10_000;

export class RuncContainerEngine implements ContainerRuntime {
  private readonly ctx: RuntimeContext;
  private readonly attachHub: AttachHub;
  private readonly execs: ExecSessions;
  private readonly statsCollector: StatsCollector;
  private readonly supervisor: Supervisor;
  private readonly starter: StartSequence;

  constructor(deps: EngineDeps) {
    const ctx = (this.ctx = new RuntimeContext(deps));
    const host = { runtimeOf: ctx.runtimeOf.bind(ctx), bundleDir: ctx.bundleDir.bind(ctx) };
    this.attachHub = new AttachHub(host);
    this.execs = new ExecSessions({ ...host, log: ctx.log, probeHelper: deps.probeHelper });
    this.statsCollector = new StatsCollector(host);
    this.supervisor = new Supervisor(ctx, {
      start: (rec, restarting) => this.starter.run(rec, restarting),
      remove: (id) => this.remove(id, { force: true, volumes: true }),
      probe: (rec, cmd, timeoutMs) => this.execs.probe(rec, cmd, timeoutMs),
      endProbes: (id) => this.execs.endProbes(id),
    });
    const parts = { ctx, attach: this.attachHub, supervisor: this.supervisor };
    this.starter = new StartSequence({
      ...parts,
      steps: startSteps({ ...parts, boundingCaps: agentBoundingCaps() }),
    });
  }

  // ---- lifecycle of the engine (wiring.ts wraps these as start/stop) ----

  /**
   * A default runtime this host cannot use is a configuration error: the agent refuses to start.
   * main.ts calls this before anything else starts, so a refusal leaves nothing behind.
   */
  checkDefaultRuntime(): void {
    this.ctx.checkRuntime(this.ctx.deps.defaultRuntime ?? 'runc');
    const log = this.ctx.deps.defaultLogDriver;
    if (log) checkLogConfig(log.name, log.options);
  }

  /** Loads records, adopts or settles containers left from a previous run, watches exits. */
  async open(): Promise<void> {
    const { ctx } = this;
    this.checkDefaultRuntime();
    for (const [k, d] of Object.entries(ctx.paths))
      if (k !== 'crunRoot') await mkdir(d, { recursive: true, mode: 0o700 }); // crun's: at first use
    const records = await ctx.store.load();
    await restoreContainers({ store: ctx.store, supervisor: this.supervisor, host: ctx }, records);
    const live = ctx.store
      .all()
      .filter((r) => r.state.status === 'running' || r.state.status === 'paused');
    await ctx.deps.network
      ?.reconcile(new Set(live.map((r) => r.id)))
      .catch((err) => ctx.log.warn({ err }, 'network reconcile failed'));
    await this.supervisor.start();
    ctx.log.info({ containers: records.length }, 'runtime started');
  }

  /** Containers keep running under conmon; only our watchers stop (live restore adopts them). */
  async close(): Promise<void> {
    await this.supervisor.stop();
    this.execs.close();
  }

  // ---- create / start / stop / kill / restart / pause / rename ----

  create(opts: ContainerCreateOptions): Promise<{ id: string; warnings: string[] }> {
    return createContainer(this.ctx, opts);
  }

  async start(idOrName: string): Promise<void> {
    const rec = this.ctx.store.get(idOrName);
    return this.ctx.lock.run(rec.id, () => this.starter.run(rec));
  }

  async stop(idOrName: string, opts: { timeoutSec?: number; signal?: string } = {}): Promise<void> {
    const { ctx } = this;
    const rec = ctx.store.get(idOrName);
    // A restart whose timer has fired is already starting under the lock: let it finish, so this
    // stop applies to the process it starts instead of being undone by it (a start clears
    // manuallyStopped and sets running after we would have returned).
    if (this.supervisor.restartUnderWay(rec)) await ctx.lock.run(rec.id, async () => undefined);
    rec.manuallyStopped = true;
    this.supervisor.cancelRestart(rec);
    if (rec.state.status !== 'running' && rec.state.status !== 'paused') {
      await ctx.store.save(rec);
      return;
    }
    const timeoutSec = opts.timeoutSec ?? rec.config.StopTimeout;
    const exited = ctx.events.nextSettled(rec.id);
    const signal = opts.signal || rec.config.StopSignal;
    // Refuse new connections before the process is told to go, so none reaches it mid-shutdown.
    await ctx.deps.network
      ?.withdrawPorts?.(rec.id)
      .catch((err) => ctx.log.warn({ err }, 'withdrawing ports failed'));
    const runtime = ctx.runtimeOf(rec);
    if (rec.state.status === 'paused') await runtime.resume(rec.id).catch(() => undefined);
    await runtime.kill(rec.id, signal).catch(() => undefined);
    ctx.events.publish(rec, 'kill', { signal });
    if (timeoutSec < 0 || !(await within(exited, timeoutSec * 1000))) {
      await runtime.kill(rec.id, 'KILL', true).catch(() => undefined);
      ctx.events.publish(rec, 'kill', { signal: 'SIGKILL' });
      await exited;
    }
    ctx.events.publish(rec, 'stop');
  }

  async kill(idOrName: string, signal = 'KILL'): Promise<void> {
    const rec = this.ctx.store.get(idOrName);
    if (rec.state.status !== 'running' && rec.state.status !== 'paused')
      throw new FlotillaError('CONTAINER_NOT_RUNNING', { id: rec.name });
    const sig = /^\d+$/.test(signal) ? signal : signal.toUpperCase().replace(/^SIG/, '');
    if (sig === 'KILL' || sig === '9') rec.manuallyStopped = true;
    await this.ctx.runtimeOf(rec).kill(rec.id, sig);
    this.ctx.events.publish(rec, 'kill', { signal: sig });
  }

  async restart(idOrName: string, opts: { timeoutSec?: number } = {}): Promise<void> {
    const rec = this.ctx.store.get(idOrName);
    await this.stop(rec.id, opts);
    await this.ctx.lock.run(rec.id, () => this.starter.run(rec, true));
  }

  async pause(idOrName: string): Promise<void> {
    const rec = this.ctx.store.get(idOrName);
    if (rec.state.status === 'paused')
      throw new FlotillaError('CONTAINER_PAUSED', { id: rec.name });
    if (rec.state.status !== 'running')
      throw new FlotillaError('CONTAINER_NOT_RUNNING', { id: rec.name });
    await this.ctx.runtimeOf(rec).pause(rec.id);
    await this.setStatus(rec, 'paused');
  }

  async unpause(idOrName: string): Promise<void> {
    const rec = this.ctx.store.get(idOrName);
    if (rec.state.status !== 'paused')
      throw new FlotillaError('CONTAINER_NOT_PAUSED', { id: rec.name });
    await this.ctx.runtimeOf(rec).resume(rec.id);
    await this.setStatus(rec, 'running');
  }

  async rename(idOrName: string, newName: string): Promise<void> {
    const rec = this.ctx.store.get(idOrName);
    const old = rec.name;
    this.ctx.store.rename(rec, newName);
    await this.ctx.store.save(rec);
    this.ctx.events.publish(rec, 'rename', { oldName: old });
  }

  async update(idOrName: string, u: ContainerUpdate): Promise<{ warnings: string[] }> {
    const warnings = await updateContainer(this.ctx, this.ctx.store.get(idOrName), u);
    return { warnings };
  }

  // ---- remove / prune ----

  async remove(idOrName: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const { ctx } = this;
    const rec = ctx.store.get(idOrName);
    const live = () => rec.state.status === 'running' || rec.state.status === 'paused';
    if (live() && !opts.force)
      throw new FlotillaError('CONTAINER_RUNNING', { action: 'remove', id: rec.name });
    this.supervisor.cancelRestart(rec);
    rec.manuallyStopped = true;
    if (live()) {
      const exited = ctx.events.nextSettled(rec.id);
      const runtime = ctx.runtimeOf(rec);
      if (rec.state.status === 'paused') await runtime.resume(rec.id).catch(() => undefined);
      await runtime.kill(rec.id, 'KILL', true).catch(() => undefined);
      if (!(await within(exited, REMOVE_KILL_WAIT_MS))) await this.supervisor.recordExit(rec, 137);
    }
    await ctx.lock.run(rec.id, async () => {
      if (!ctx.store.find(rec.id)) return;
      await this.supervisor.release(rec);
      await ctx.deps.snapshotter.remove(rec.id);
      if (opts.volumes)
        for (const m of rec.mounts)
          if (m.Type === 'volume' && m.Anonymous && m.Name)
            await ctx.volumeStore.remove(m.Name).catch(() => undefined);
      await ctx.store.delete(rec);
      await this.releaseClusterAttachment(rec);
      this.statsCollector.forget(rec.id);
      ctx.events.publish(rec, 'destroy');
      ctx.events.removed(rec.id);
    });
  }

  /**
   * A standalone container's address on a cluster overlay goes back to the manager with it. Not
   * fatal: the container is gone either way (a detach no manager answered is kept and sent again
   * by the cluster membership, agent/session/pending-detaches.ts).
   */
  private async releaseClusterAttachment(rec: ContainerRecord): Promise<void> {
    const id = rec.options.clusterAttachmentId;
    const cluster = this.ctx.deps.clusterAttachments?.current;
    if (!id) return;
    if (!cluster) {
      this.ctx.log.warn(
        { containerId: rec.id, attachment: id },
        'cluster attachment not released: not joined',
      );
      return;
    }
    await cluster
      .detach(id)
      .then(() =>
        this.ctx.log.info({ containerId: rec.id, attachment: id }, 'cluster attachment released'),
      )
      .catch((err) =>
        this.ctx.log.warn(
          { err, containerId: rec.id, attachment: id },
          'releasing the cluster attachment failed',
        ),
      );
  }

  withFilesystem<T>(idOrName: string, fn: (files: ContainerFiles) => Promise<T>): Promise<T> {
    return withContainerFs(this.ctx, idOrName, fn);
  }

  async prune(): Promise<{ ContainersDeleted: string[] }> {
    const deleted: string[] = [];
    for (const rec of this.ctx.store.all())
      if (
        rec.state.status === 'exited' ||
        rec.state.status === 'created' ||
        rec.state.status === 'dead'
      ) {
        await this.remove(rec.id).catch(() => undefined);
        deleted.push(rec.id);
      }
    return { ContainersDeleted: deleted };
  }

  // ---- read side ----

  async inspect(idOrName: string): Promise<Record<string, unknown>> {
    return inspectDocument(this.ctx.store.get(idOrName));
  }

  async list(
    opts: { all?: boolean; labels?: Record<string, string>; size?: boolean } = {},
  ): Promise<ContainerSummary[]> {
    const records = this.ctx.store
      .all()
      .filter(
        (r) =>
          opts.all ||
          r.state.status === 'running' ||
          r.state.status === 'paused' ||
          r.state.status === 'restarting',
      )
      .filter((r) =>
        Object.entries(opts.labels ?? {}).every(([k, v]) =>
          v === '' ? k in r.config.Labels : r.config.Labels[k] === v,
        ),
      )
      .sort((a, b) => b.created.localeCompare(a.created));
    if (!opts.size) return records.map(summaryOf);
    return Promise.all(
      records.map(async (r) => ({
        ...summaryOf(r),
        sizeRw: r.upperDir ? await treeSize(r.upperDir) : 0,
      })),
    );
  }

  wait(idOrName: string, signal?: AbortSignal): Promise<number> {
    return this.waitFor(idOrName, 'not-running', signal);
  }

  async waitFor(
    idOrName: string,
    condition: WaitCondition = 'not-running',
    signal?: AbortSignal,
  ): Promise<number> {
    return this.ctx.events.wait(this.ctx.store.get(idOrName), condition, signal);
  }

  subscribe(listener: (e: ContainerEvent) => void): () => void {
    return this.ctx.events.subscribe(listener);
  }

  /** Every health probe run, with its duration and result (the agent's metrics). */
  subscribeHealthChecks(listener: (id: string, run: HealthCheckRun) => void): () => void {
    return this.ctx.events.subscribeHealthChecks(listener);
  }

  subscribeObjects(listener: (e: ObjectEvent) => void): () => void {
    return this.ctx.events.subscribeObjects(listener);
  }

  logs(idOrName: string, opts: LogOptions): AsyncIterable<LogEntry> {
    const { store } = this.ctx;
    const rec = store.get(idOrName);
    // Done once the container has stopped and its driver holds every line it wrote.
    const done = () =>
      !store.find(rec.id) ||
      (rec.state.status !== 'running' &&
        rec.state.status !== 'paused' &&
        rec.state.status !== 'restarting' &&
        !this.supervisor.logsPending(rec.id));
    return readContainerLog(rec, store.dirOf(rec.id), opts, done);
  }

  async stats(idOrName: string): Promise<ContainerStats> {
    return this.statsCollector.stats(this.ctx.store.get(idOrName));
  }

  async top(
    idOrName: string,
    psArgs?: string,
  ): Promise<{ Titles: string[]; Processes: string[][] }> {
    return this.statsCollector.top(this.ctx.store.get(idOrName), psArgs);
  }

  // ---- attach / exec ----

  async attach(idOrName: string, streams: AttachStreams): Promise<AttachSession> {
    return this.attachHub.attach(this.ctx.store.get(idOrName), streams);
  }

  async resize(idOrName: string, rows: number, cols: number): Promise<void> {
    const rec = this.ctx.store.get(idOrName);
    if (rec.state.status !== 'running') return;
    await writeCtl(this.ctx.bundleDir(rec.id), `1 ${Math.max(1, rows)} ${Math.max(1, cols)}`);
  }

  async exec(
    idOrName: string,
    opts: ExecOptions,
    streams: AttachStreams,
    execId?: string,
  ): Promise<number> {
    return this.execs.run(this.ctx.store.get(idOrName), opts, streams, execId);
  }

  async resizeExec(execId: string, rows: number, cols: number): Promise<void> {
    this.execs.resize(execId, rows, cols);
  }

  // ---- volumes ----

  get volumes(): ContainerRuntime['volumes'] {
    const { store, volumeStore } = this.ctx;
    return {
      create: (name, labels) => volumeStore.create(name, labels),
      list: () => volumeStore.list(),
      inspect: (name) => volumeStore.inspect(name),
      remove: async (name, force) => {
        const user = store
          .all()
          .find((r) => r.mounts.some((m) => m.Type === 'volume' && m.Name === name));
        if (user && !force)
          throw new FlotillaError('VOLUME_IN_USE', { name, id: user.id.slice(0, 12) });
        await volumeStore.remove(name);
      },
      prune: async ({ all, labels = [] }) => {
        const used = new Set(
          store
            .all()
            .flatMap((r) => r.mounts.filter((m) => m.Type === 'volume').map((m) => m.Name)),
        );
        const deleted: string[] = [];
        for (const v of await volumeStore.list()) {
          if (used.has(v.Name)) continue;
          if (!all && !(await volumeStore.anonymous(v.Name))) continue;
          if (!labels.every((l) => labelMatches(v.Labels, l))) continue;
          await volumeStore.remove(v.Name);
          deleted.push(v.Name);
        }
        return { VolumesDeleted: deleted };
      },
    };
  }

  private async setStatus(rec: ContainerRecord, status: 'paused' | 'running'): Promise<void> {
    rec.state.status = status;
    await this.ctx.store.save(rec);
    this.ctx.events.publish(rec, status === 'paused' ? 'pause' : 'unpause');
  }
}

/** Whether `p` settles within `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  const r = await Promise.race([p.then(() => true as const), t]);
  clearTimeout(timer);
  return r;
}

/** Docker's `label=KEY` or `label=KEY=VALUE` filter (and `label!=` negated). */
function labelMatches(labels: Record<string, string>, filter: string): boolean {
  const negate = filter.startsWith('!');
  const [k, v] = (negate ? filter.slice(1) : filter).split(/=(.*)/);
  const hit = v === undefined ? k in labels : labels[k] === v;
  return negate ? !hit : hit;
}
