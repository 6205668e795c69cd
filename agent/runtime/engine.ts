// The container engine: turns records into running containers with runc under conmon, and back.
// It owns lifecycle, waiting and events; bundle generation, logs, stats, health, restart policies
// and live restore live in their own modules. Images come from an ImageSource + Snapshotter and
// networking from an optional NetworkAttacher (none wired = a private netns with loopback only).
import { EventEmitter } from 'node:events';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import type { Snapshotter } from '../image/snapshot/types.js';
import type { NetworkAttacher } from '../network/types.js';
import { openBridge, type Bridge } from './attach/seqpacket-bridge.js';
import { writeContainerFiles } from './bundle/files.js';
import { mergeConfig } from './bundle/merge.js';
import { secureJoin } from './bundle/secure-join.js';
import { agentBoundingCaps } from './bundle/caps.js';
import { hostDevices } from './bundle/host-devices.js';
import { buildSpec } from './bundle/spec.js';
import { resolveUser } from './bundle/user.js';
import { startConmon, processStartTime } from './conmon/conmon.js';
import { ExitWatcher } from './conmon/exit-watcher.js';
import { validateCreateOptions } from './container/validate.js';
import { inspectDocument, summaryOf } from './container/inspect.js';
import { zeroTime, type ContainerRecord, type ResolvedMount } from './container/record.js';
import { ContainerStore } from './container/store.js';
import { execInContainer } from './exec/exec.js';
import { HealthMonitor } from './health/monitor.js';
import type { ImageSource } from './images/source.js';
import { readLog } from './logs/k8s-file.js';
import { LogRotator, parseLogOpts } from './logs/rotation.js';
import { restartDelayMs, shouldRestart } from './restart/policy.js';
import { checkRuntime, hostCgroupLayout, type RuntimeName } from './runc/cgroup-mode.js';
import { onPath, resolveBinary, Runc } from './runc/runc.js';
import { startErrorFrom } from './runc/start-error.js';
import { cpuPercent, sample } from './stats/cgroup-stats.js';
import type {
  AttachSession,
  AttachStreams,
  ContainerCreateOptions,
  ContainerEvent,
  ContainerRuntime,
  ContainerStats,
  ContainerSummary,
  ExecOptions,
  LogEntry,
  LogOptions,
} from './types.js';
import { VolumeStore } from './volumes/volume-store.js';

export interface EngineDeps {
  dataRoot: string;
  execRoot: string;
  log: Logger;
  images: ImageSource;
  snapshotter: Snapshotter;
  network?: NetworkAttacher;
  runcBinary?: string;
  crunBinary?: string;
  conmonBinary?: string;
  /** runc or crun, for containers created without --runtime. @default 'runc' */
  defaultRuntime?: string;
}

interface PendingAttach {
  streams: AttachStreams;
  resolve: (s: AttachSession) => void;
  reject: (e: unknown) => void;
  connected?: (bridge: Bridge) => void;
}

const shortId = (id: string) => id.slice(0, 16);
/** A stats sample older than this is not used as the start of a CPU % interval. */
const STATS_WINDOW_MAX_MS = 10_000;

export class RuncContainerEngine implements ContainerRuntime {
  readonly store: ContainerStore;
  readonly volumeStore: VolumeStore;
  /** runc, with its own --root; used for every container created without another runtime. */
  readonly runc: Runc;
  /** crun, with its own --root (containers record which runtime runs them). */
  readonly crun: Runc;
  private readonly log: Logger;
  private readonly events = new EventEmitter();
  private readonly exits: ExitWatcher;
  private readonly pendingAttach = new Map<string, PendingAttach[]>();
  /** Running execs by id (those started with one): how to resize their terminal. */
  private readonly execResizers = new Map<string, (rows: number, cols: number) => void>();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly health: HealthMonitor;
  private readonly rotator: LogRotator;
  private reaper?: NodeJS.Timeout;
  /** Read once: what the agent itself may grant (caps for --privileged, --cap-add ALL). */
  private readonly boundingCaps = agentBoundingCaps();
  /** Each container's last stats sample and when it was read, for CPU % over the interval. */
  private readonly prevStats = new Map<
    string,
    { raw: ReturnType<typeof sample> | undefined; atMs: number }
  >();
  readonly paths: {
    runcRoot: string;
    crunRoot: string;
    exitDir: string;
    bundles: string;
    persist: string;
    socketDir: string;
  };

  constructor(private readonly deps: EngineDeps) {
    this.log = deps.log.child({ component: 'runtime' });
    this.store = new ContainerStore({ dir: join(deps.dataRoot, 'containers') });
    this.volumeStore = new VolumeStore({ dir: join(deps.dataRoot, 'volumes') });
    this.paths = {
      runcRoot: join(deps.execRoot, 'runc'),
      crunRoot: join(deps.execRoot, 'crun'),
      exitDir: join(deps.execRoot, 'exits'),
      bundles: join(deps.execRoot, 'b'),
      persist: join(deps.execRoot, 'persist'),
      socketDir: join(deps.execRoot, 'sock'),
    };
    this.runc = new Runc({ binary: deps.runcBinary ?? 'runc', root: this.paths.runcRoot });
    this.crun = new Runc({ binary: deps.crunBinary ?? 'crun', root: this.paths.crunRoot });
    this.exits = new ExitWatcher({
      exitDir: this.paths.exitDir,
      onExit: (id, code) => void this.onExit(id, code),
    });
    this.health = new HealthMonitor({
      log: this.log,
      exec: (rec, cmd, timeoutMs) => this.probe(rec, cmd, timeoutMs),
      onChange: (rec) => {
        void this.store.save(rec);
        this.emit(rec, 'health_status', { health_status: rec.state.health?.Status ?? '' });
      },
    });
    this.rotator = new LogRotator({
      reopen: (id) => this.writeCtl(id, '2 0 0'),
      onError: (err, id) => this.log.warn({ err, containerId: id }, 'log rotation failed'),
    });
    this.events.setMaxListeners(0);
  }

  // ---- lifecycle of the engine (main.ts wraps these as start/stop) ----

  /**
   * A default runtime this host cannot use is a configuration error: the agent refuses to start.
   * main.ts calls this before anything else starts, so a refusal leaves nothing behind.
   */
  checkDefaultRuntime(): void {
    this.checkRuntime(this.deps.defaultRuntime ?? 'runc');
  }

  /** Loads records, adopts or settles containers left from a previous run, watches exits. */
  async open(): Promise<void> {
    this.checkDefaultRuntime();
    for (const [k, d] of Object.entries(this.paths))
      if (k !== 'crunRoot') await mkdir(d, { recursive: true }); // made when crun first runs
    const records = await this.store.load();
    const { restoreContainers } = await import('./restore.js');
    await restoreContainers(this, records);
    const live = this.store
      .all()
      .filter((r) => r.state.status === 'running' || r.state.status === 'paused');
    await this.deps.network
      ?.reconcile(new Set(live.map((r) => r.id)))
      .catch((err) => this.log.warn({ err }, 'network reconcile failed'));
    await this.exits.start();
    this.rotator.start();
    // Safety net: conmon also writes <persist>/exit. If the exit-dir file was missed (seen once
    // in manual testing, cause not found), a running record with that file is settled anyway.
    this.reaper = setInterval(() => void this.reapLostExits(), 5000);
    this.reaper.unref();
    this.log.info({ containers: records.length }, 'runtime started');
  }

  /** Containers keep running under conmon; only our watchers stop (live restore adopts them). */
  async close(): Promise<void> {
    await this.exits.stop();
    if (this.reaper) clearInterval(this.reaper);
    this.health.stopAll();
    this.rotator.stop();
    for (const t of this.restartTimers.values()) clearTimeout(t);
  }

  // ---- helpers used by restore.ts and the modules ----

  bundleDir(id: string): string {
    return join(this.paths.bundles, shortId(id));
  }
  persistDir(id: string): string {
    return join(this.paths.persist, shortId(id));
  }
  get logger(): Logger {
    return this.log;
  }

  /** The runtime that runs a container (records from before --runtime existed use runc). */
  runtimeOf(rec: ContainerRecord): Runc {
    return rec.options.runtime === 'crun' ? this.crun : this.runc;
  }

  private checkRuntime(name: string): RuntimeName {
    const binaries = { runc: this.runc.deps.binary, crun: this.crun.deps.binary };
    return checkRuntime(name, {
      layout: hostCgroupLayout(),
      installed: (rt) => onPath(binaries[rt as RuntimeName] ?? rt),
    });
  }

  emit(
    rec: ContainerRecord,
    action: ContainerEvent['action'],
    attributes: Record<string, string> = {},
  ): void {
    const e: ContainerEvent = {
      type: 'container',
      action,
      id: rec.id,
      name: rec.name,
      time: new Date().toISOString(),
      attributes: { image: rec.image, name: rec.name, ...rec.config.Labels, ...attributes },
    };
    this.events.emit('event', e);
  }

  /** Serialises lifecycle operations per container. */
  private async locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    this.locks.set(id, next);
    try {
      return await next;
    } finally {
      if (this.locks.get(id) === next) this.locks.delete(id);
    }
  }

  // ---- create ----

  async create(opts: ContainerCreateOptions): Promise<{ id: string; warnings: string[] }> {
    validateCreateOptions(opts);
    // An unknown network fails `create`, as Docker's does, instead of leaving a container that
    // cannot start.
    const net = opts.network;
    if (net && !['bridge', 'host', 'none'].includes(net) && !net.startsWith('container:'))
      this.deps.network?.inspectNetwork?.(net);
    opts = {
      ...opts,
      runtime: this.checkRuntime(opts.runtime || this.deps.defaultRuntime || 'runc'),
    };
    const image = await this.deps.images.resolve(opts.image);
    const id = this.store.newId();
    const name = this.store.reserveName(id, opts.name);
    const undo: (() => Promise<unknown>)[] = [async () => this.store.releaseName(name, id)];
    try {
      const hostname = opts.hostname || id.slice(0, 12);
      const config = mergeConfig(opts.image, image.config, opts, hostname);
      const dir = this.store.dirOf(id);
      await mkdir(dir, { recursive: true });
      undo.push(() => rm(dir, { recursive: true, force: true }));
      undo.push(() => this.deps.snapshotter.remove(id));
      const snap = await this.deps.snapshotter.prepare(id, image.chainIds);
      // Resolve now so that an unknown user fails `create`, not a later `start`.
      resolveUser(snap.rootfs, config.User);
      const mounts = await this.resolveMounts(opts, config.Volumes, snap.rootfs, undo);
      const now = new Date().toISOString();
      const rec: ContainerRecord = {
        id,
        name,
        created: now,
        image: opts.image,
        imageId: image.imageId,
        chainIds: image.chainIds,
        config,
        options: opts,
        mounts,
        logPath: join(dir, 'ctr.log'),
        rootfs: snap.rootfs,
        upperDir: snap.upperDir,
        lowerDirs: [...image.chainIds].reverse().map((c) => this.deps.snapshotter.layerDir(c)),
        state: {
          status: 'created',
          pid: 0,
          exitCode: 0,
          oomKilled: false,
          error: '',
          startedAt: zeroTime,
          finishedAt: zeroTime,
        },
        restartCount: 0,
        manuallyStopped: false,
      };
      if (config.Healthcheck && config.Healthcheck.test[0] !== 'NONE')
        rec.state.health = { Status: 'starting', FailingStreak: 0, Log: [] };
      await this.store.save(rec);
      this.emit(rec, 'create');
      this.log.info({ containerId: id, name }, 'container created');
      return { id, warnings: [] };
    } catch (err) {
      for (const u of undo.reverse()) await u().catch(() => undefined);
      throw err;
    }
  }

  private async resolveMounts(
    opts: ContainerCreateOptions,
    imageVolumes: Record<string, object>,
    rootfs: string,
    undo: (() => Promise<unknown>)[],
  ): Promise<ResolvedMount[]> {
    const out: ResolvedMount[] = [];
    const targets = new Set<string>();
    for (const m of opts.mounts ?? []) {
      targets.add(m.target);
      if (m.type === 'bind') {
        if (m.createHostPath && m.source && isAbsolute(m.source) && !existsSync(m.source))
          await mkdir(m.source, { recursive: true });
        if (!m.source || !existsSync(m.source))
          throw new FlotillaError('MOUNT_INVALID', {
            spec: `${m.source ?? ''}:${m.target}`,
            reason: 'bind source path does not exist',
          });
        out.push({ Type: 'bind', Source: m.source, Destination: m.target, RW: !m.readOnly });
      } else if (m.type === 'volume') {
        out.push(await this.volumeFor(m.source, m.target, !m.readOnly, rootfs, undo));
      } else {
        out.push({
          Type: 'tmpfs',
          Source: '',
          Destination: m.target,
          RW: !m.readOnly,
          ...(m.tmpfsSizeBytes ? { SizeBytes: m.tmpfsSizeBytes } : {}),
        });
      }
    }
    // Image VOLUMEs without a user mount get an anonymous volume, seeded from the image.
    for (const target of Object.keys(imageVolumes))
      if (!targets.has(target))
        out.push(await this.volumeFor(undefined, target, true, rootfs, undo));
    return out;
  }

  private async volumeFor(
    name: string | undefined,
    target: string,
    rw: boolean,
    rootfs: string,
    undo: (() => Promise<unknown>)[],
  ): Promise<ResolvedMount> {
    const existed = name ? this.volumeStore.exists(name) : false;
    const info = await this.volumeStore.create(name, {}, !name);
    if (!existed) undo.push(() => this.volumeStore.remove(info.Name));
    await this.volumeStore.seed(info.Name, secureJoin(rootfs, target));
    return {
      Type: 'volume',
      Name: info.Name,
      Source: info.Mountpoint,
      Destination: target,
      RW: rw,
      Anonymous: !name,
    };
  }

  // ---- start ----

  async start(idOrName: string): Promise<void> {
    const rec = this.store.get(idOrName);
    return this.locked(rec.id, () => this.startLocked(rec));
  }

  async startLocked(rec: ContainerRecord, restarting = false): Promise<void> {
    if (rec.state.status === 'running') return;
    if (rec.state.status === 'paused')
      throw new FlotillaError('CONTAINER_PAUSED', { id: rec.name });
    const timer = this.restartTimers.get(rec.id);
    if (timer) {
      clearTimeout(timer);
      this.restartTimers.delete(rec.id);
    }
    const id = rec.id;
    const bundle = this.bundleDir(id);
    const persist = this.persistDir(id);
    const cleanup: (() => Promise<unknown>)[] = [];
    let early: ReturnType<RuncContainerEngine['openPendingAttachEarly']> | undefined;
    // Where a start spends its time (logged at debug level).
    const phases: Record<string, number> = {};
    let t0 = performance.now();
    const mark = (phase: string) => {
      const now = performance.now();
      phases[phase] = Math.round((now - t0) * 10) / 10;
      t0 = now;
    };
    try {
      this.exits.forget(id);
      await Promise.all([
        rm(join(this.paths.exitDir, id), { force: true }),
        rm(bundle, { recursive: true, force: true }).then(() => mkdir(bundle, { recursive: true })),
        rm(persist, { recursive: true, force: true }).then(() =>
          mkdir(persist, { recursive: true }),
        ),
      ]);
      cleanup.push(() => rm(bundle, { recursive: true, force: true }));
      cleanup.push(() => rm(persist, { recursive: true, force: true }));
      early = this.openPendingAttachEarly(rec);
      mark('prepareDirs');
      const snap = await this.deps.snapshotter.mount(id);
      rec.rootfs = snap.rootfs;
      rec.upperDir = snap.upperDir;
      cleanup.push(() => this.deps.snapshotter.unmount(id));
      const mode = rec.options.network || (this.deps.network ? 'bridge' : 'none');
      let netnsPath: string | undefined;
      if (this.deps.network && mode !== 'none' && mode !== 'host') {
        rec.network = await this.deps.network.attach({
          containerId: id,
          mode,
          aliases: rec.options.networkAliases ?? [],
          name: rec.name,
          hostname: rec.config.Hostname,
          ports: rec.options.ports ?? [],
        });
        cleanup.push(() => this.deps.network!.detach(id));
        netnsPath = rec.network.netnsPath;
      } else rec.network = undefined;
      mark('mountAndNetwork');
      const files = await writeContainerFiles(this.store.dirOf(id), {
        hostname: rec.config.Hostname,
        ip: rec.network?.ipv4,
        aliases: rec.network?.ipv4 ? rec.options.networkAliases : [],
        dns: rec.network?.dns,
      });
      const user = resolveUser(snap.rootfs, rec.config.User);
      const spec = buildSpec({
        id,
        config: rec.config,
        opts: rec.options,
        user,
        rootfs: snap.rootfs,
        netnsPath,
        hostNetwork: mode === 'host',
        files,
        binds: rec.mounts
          .filter((m) => m.Type !== 'tmpfs')
          .map((m) => ({ source: m.Source, destination: m.Destination, readOnly: !m.RW })),
        initPath: rec.options.init
          ? existsSync('/usr/bin/tini-static')
            ? '/usr/bin/tini-static'
            : '/usr/bin/tini'
          : undefined,
        boundingCaps: this.boundingCaps,
        hostDevices: rec.options.privileged ? hostDevices() : undefined,
      });
      for (const m of rec.mounts.filter((x) => x.Type === 'tmpfs'))
        (spec.mounts as unknown[]).push({
          destination: m.Destination,
          type: 'tmpfs',
          source: 'tmpfs',
          options: [
            'nosuid',
            'nodev',
            'noexec',
            m.RW ? 'rw' : 'ro',
            ...(m.SizeBytes ? [`size=${m.SizeBytes}`] : []),
          ],
        });
      await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
      mark('bundle');
      const runtime = this.runtimeOf(rec);
      await mkdir(runtime.deps.root, { recursive: true });
      cleanup.push(() => runtime.delete(id, true));
      const stdinMode = rec.config.OpenStdin;
      let started;
      try {
        started = await startConmon(
          id,
          rec.name,
          {
            conmonBinary: this.deps.conmonBinary ?? 'conmon',
            runcBinary:
              runtime === this.runc
                ? (this.deps.runcBinary ?? '/usr/sbin/runc')
                : (resolveBinary(this.crun.deps.binary) ?? this.crun.deps.binary),
            runcRoot: runtime.deps.root,
            bundle,
            exitDir: this.paths.exitDir,
            persistDir: persist,
            socketDir: this.paths.socketDir,
            logPath: rec.logPath,
            leaveStdinOpen: rec.config.Tty,
          },
          { tty: rec.config.Tty, stdin: stdinMode },
        );
      } catch (err) {
        throw startErrorFrom(rec.name, rec.config.Args[0], err);
      }
      mark('conmonAndCreate');
      rec.conmon = { pid: started.conmonPid, startTime: started.conmonStartTime };
      // Attachers waiting on a created container connect before the process runs: no output is lost.
      await early.connect();
      await this.connectPendingAttach(rec); // attachers that came during the start
      mark('attach');
      await runtime.start(id);
      mark('runtimeStart');
      rec.state = {
        ...rec.state,
        status: 'running',
        pid: started.pid,
        exitCode: 0,
        oomKilled: false,
        error: '',
        startedAt: new Date().toISOString(),
        finishedAt: rec.state.finishedAt,
      };
      if (rec.state.health)
        rec.state.health = { Status: 'starting', FailingStreak: 0, Log: rec.state.health.Log };
      rec.manuallyStopped = false;
      rec.restartAt = undefined;
      await this.store.save(rec);
      this.emit(rec, restarting ? 'restart' : 'start');
      this.health.watch(rec);
      this.watchLog(rec);
      mark('record');
      this.log.info({ containerId: id, pid: started.pid }, 'container started');
      this.log.debug({ containerId: id, phases }, 'container start phases');
      // The process may already have exited (e.g. `true`): the exit watcher picks it up.
      void this.exits.scan();
    } catch (err) {
      for (const c of cleanup.reverse()) await c().catch(() => undefined);
      early?.fail(err);
      this.failPendingAttach(rec.id, err);
      const fe =
        err instanceof FlotillaError
          ? err
          : new FlotillaError(
              'CONTAINER_START_FAILED',
              { id: rec.name, reason: (err as Error).message },
              { cause: err },
            );
      rec.state = {
        ...rec.state,
        status: rec.state.status === 'created' ? 'created' : 'exited',
        pid: 0,
        // Docker's statuses for a failed start: 127/126 when the command is the problem, else 125.
        exitCode: fe.exitCode ?? 125,
        error: fe.message,
      };
      await this.store.save(rec).catch(() => undefined);
      throw fe;
    }
  }

  // ---- exit handling ----

  async onExit(id: string, code: number): Promise<void> {
    const rec = this.store.find(id);
    if (!rec) {
      await rm(join(this.paths.exitDir, id), { force: true });
      return;
    }
    await this.locked(id, () => this.recordExit(rec, code));
    this.afterExit(rec);
  }

  private async reapLostExits(): Promise<void> {
    for (const rec of this.store.all()) {
      if (rec.state.status !== 'running' || this.locks.has(rec.id)) continue;
      const code = persistedExit(this.persistDir(rec.id));
      if (code === undefined) continue;
      this.log.warn({ containerId: rec.id, exitCode: code }, 'exit noticed late');
      await this.onExit(rec.id, code);
    }
  }

  /** Records an exit (code from conmon) and releases what the run held. Idempotent per run. */
  async recordExit(rec: ContainerRecord, code: number): Promise<void> {
    if (rec.state.status !== 'running' && rec.state.status !== 'paused') return;
    const oom = existsSync(join(this.persistDir(rec.id), 'oom'));
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
    // `run` (wait condition next-exit) learns the code now; `wait`, the executor and builds wait
    // for `exit:`, after the run is released (runc state, network, mounts: 0.1-0.5 s of child
    // processes). A later start or rm waits for the release through the container's lock.
    this.events.emit(`exited:${rec.id}`, code);
    await this.releaseRun(rec);
    await this.store.save(rec);
    if (oom) this.emit(rec, 'oom');
    this.emit(rec, 'die', { exitCode: String(code) });
    this.events.emit(`exit:${rec.id}`, code);
    this.log.info({ containerId: rec.id, exitCode: code, oom }, 'container exited');
  }

  /** runc state, network, mounts, bundle: everything a run holds except the record and log. */
  async releaseRun(rec: ContainerRecord): Promise<void> {
    // The process is gone: runc's state and the network namespace are independent of each
    // other, so they go in parallel; the rootfs is unmounted once runc has let go of it.
    await Promise.all([
      this.runtimeOf(rec)
        .delete(rec.id, true)
        .catch((err) => this.log.warn({ err, containerId: rec.id }, 'runc delete failed'))
        .then(() => this.deps.snapshotter.unmount(rec.id))
        .catch((err) => this.log.warn({ err }, 'unmount failed')),
      this.deps.network
        ?.detach(rec.id)
        .catch((err) => this.log.warn({ err }, 'network detach failed')),
      rm(join(this.paths.exitDir, rec.id), { force: true }),
    ]);
    await Promise.all([
      rm(this.bundleDir(rec.id), { recursive: true, force: true }),
      rm(this.persistDir(rec.id), { recursive: true, force: true }),
    ]);
    this.exits.forget(rec.id);
  }

  afterExit(rec: ContainerRecord): void {
    if (rec.options.autoRemove) {
      void this.remove(rec.id, { force: true, volumes: true }).catch((err) =>
        this.log.warn({ err }, 'auto-remove failed'),
      );
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
    void this.store.save(rec);
    const t = setTimeout(() => {
      this.restartTimers.delete(rec.id);
      if (!this.store.find(rec.id) || rec.state.status !== 'restarting') return;
      rec.restartCount++;
      void this.locked(rec.id, () => this.startLocked(rec, true)).catch((err) => {
        this.log.warn({ err, containerId: rec.id }, 'restart failed');
        rec.state.status = 'exited';
        void this.store.save(rec);
      });
    }, delayMs);
    this.restartTimers.set(rec.id, t);
  }

  // ---- stop / kill / restart / pause ----

  async stop(idOrName: string, opts: { timeoutSec?: number; signal?: string } = {}): Promise<void> {
    const rec = this.store.get(idOrName);
    // A restart whose timer has fired is already starting under the lock: let it finish, so this
    // stop applies to the process it starts instead of being undone by it (a start clears
    // manuallyStopped and sets running after we would have returned).
    if (rec.state.status === 'restarting' && !this.restartTimers.has(rec.id))
      await this.locked(rec.id, async () => undefined);
    rec.manuallyStopped = true;
    this.cancelRestart(rec);
    if (rec.state.status !== 'running' && rec.state.status !== 'paused') {
      await this.store.save(rec);
      return;
    }
    const timeoutSec = opts.timeoutSec ?? rec.config.StopTimeout;
    const exited = this.nextExit(rec.id);
    const signal = opts.signal || rec.config.StopSignal;
    // Refuse new connections before the process is told to go, so none reaches it mid-shutdown.
    await this.deps.network
      ?.withdrawPorts?.(rec.id)
      .catch((err) => this.log.warn({ err }, 'withdrawing ports failed'));
    if (rec.state.status === 'paused')
      await this.runtimeOf(rec)
        .resume(rec.id)
        .catch(() => undefined);
    await this.runtimeOf(rec)
      .kill(rec.id, signal)
      .catch(() => undefined);
    this.emit(rec, 'kill', { signal });
    if (timeoutSec < 0 || !(await this.within(exited, timeoutSec * 1000))) {
      await this.runtimeOf(rec)
        .kill(rec.id, 'KILL', true)
        .catch(() => undefined);
      this.emit(rec, 'kill', { signal: 'SIGKILL' });
      await exited;
    }
    this.emit(rec, 'stop');
  }

  private cancelRestart(rec: ContainerRecord): void {
    const t = this.restartTimers.get(rec.id);
    if (t) clearTimeout(t);
    this.restartTimers.delete(rec.id);
    if (rec.state.status === 'restarting') rec.state.status = 'exited';
    rec.restartAt = undefined;
  }

  private nextExit(id: string): Promise<number> {
    return new Promise((resolve) => this.events.once(`exit:${id}`, resolve));
  }

  private async within(p: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
    const r = await Promise.race([p.then(() => true as const), t]);
    clearTimeout(timer);
    return r;
  }

  async kill(idOrName: string, signal = 'KILL'): Promise<void> {
    const rec = this.store.get(idOrName);
    if (rec.state.status !== 'running' && rec.state.status !== 'paused')
      throw new FlotillaError('CONTAINER_NOT_RUNNING', { id: rec.name });
    const sig = /^\d+$/.test(signal) ? signal : signal.toUpperCase().replace(/^SIG/, '');
    if (sig === 'KILL' || sig === '9') rec.manuallyStopped = true;
    await this.runtimeOf(rec).kill(rec.id, sig);
    this.emit(rec, 'kill', { signal: sig });
  }

  async restart(idOrName: string, opts: { timeoutSec?: number } = {}): Promise<void> {
    const rec = this.store.get(idOrName);
    await this.stop(rec.id, opts);
    await this.locked(rec.id, () => this.startLocked(rec, true));
  }

  async pause(idOrName: string): Promise<void> {
    const rec = this.store.get(idOrName);
    if (rec.state.status === 'paused')
      throw new FlotillaError('CONTAINER_PAUSED', { id: rec.name });
    if (rec.state.status !== 'running')
      throw new FlotillaError('CONTAINER_NOT_RUNNING', { id: rec.name });
    await this.runtimeOf(rec).pause(rec.id);
    rec.state.status = 'paused';
    await this.store.save(rec);
    this.emit(rec, 'pause');
  }

  async unpause(idOrName: string): Promise<void> {
    const rec = this.store.get(idOrName);
    if (rec.state.status !== 'paused')
      throw new FlotillaError('CONTAINER_NOT_PAUSED', { id: rec.name });
    await this.runtimeOf(rec).resume(rec.id);
    rec.state.status = 'running';
    await this.store.save(rec);
    this.emit(rec, 'unpause');
  }

  async rename(idOrName: string, newName: string): Promise<void> {
    const rec = this.store.get(idOrName);
    const old = rec.name;
    this.store.rename(rec, newName);
    await this.store.save(rec);
    this.emit(rec, 'rename', { oldName: old });
  }

  // ---- remove / prune ----

  async remove(idOrName: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const rec = this.store.get(idOrName);
    if ((rec.state.status === 'running' || rec.state.status === 'paused') && !opts.force)
      throw new FlotillaError('CONTAINER_RUNNING', { action: 'remove', id: rec.name });
    this.cancelRestart(rec);
    rec.manuallyStopped = true;
    if (rec.state.status === 'running' || rec.state.status === 'paused') {
      const exited = this.nextExit(rec.id);
      if (rec.state.status === 'paused')
        await this.runtimeOf(rec)
          .resume(rec.id)
          .catch(() => undefined);
      await this.runtimeOf(rec)
        .kill(rec.id, 'KILL', true)
        .catch(() => undefined);
      if (!(await this.within(exited, 10_000))) await this.recordExit(rec, 137);
    }
    await this.locked(rec.id, async () => {
      if (!this.store.find(rec.id)) return;
      this.health.unwatch(rec.id);
      await this.releaseRun(rec);
      await this.deps.snapshotter.remove(rec.id);
      if (opts.volumes)
        for (const m of rec.mounts)
          if (m.Type === 'volume' && m.Anonymous && m.Name)
            await this.volumeStore.remove(m.Name).catch(() => undefined);
      await this.store.delete(rec);
      this.prevStats.delete(rec.id);
      this.emit(rec, 'destroy');
      this.events.emit(`removed:${rec.id}`);
    });
  }

  async prune(): Promise<{ ContainersDeleted: string[] }> {
    const deleted: string[] = [];
    for (const rec of this.store.all())
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
    return inspectDocument(this.store.get(idOrName));
  }

  async list(
    opts: { all?: boolean; labels?: Record<string, string> } = {},
  ): Promise<ContainerSummary[]> {
    return this.store
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
      .sort((a, b) => b.created.localeCompare(a.created))
      .map(summaryOf);
  }

  wait(idOrName: string, signal?: AbortSignal): Promise<number> {
    return this.waitFor(idOrName, 'not-running', signal);
  }

  async waitFor(
    idOrName: string,
    condition: 'not-running' | 'next-exit' | 'removed' = 'not-running',
    signal?: AbortSignal,
  ): Promise<number> {
    const rec = this.store.get(idOrName);
    const running = () =>
      rec.state.status === 'running' ||
      rec.state.status === 'paused' ||
      rec.state.status === 'restarting';
    if (condition === 'not-running' && !running()) return rec.state.exitCode;
    return new Promise<number>((resolve, reject) => {
      const key =
        condition === 'removed'
          ? `removed:${rec.id}`
          : condition === 'next-exit'
            ? `exited:${rec.id}`
            : `exit:${rec.id}`;
      const onEvent = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(rec.state.exitCode);
      };
      const onAbort = () => {
        this.events.off(key, onEvent);
        reject(new FlotillaError('INVALID_ARGUMENT', { detail: 'wait cancelled' }));
      };
      this.events.once(key, onEvent);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  subscribe(listener: (e: ContainerEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  // ---- attach / exec / logs ----

  async attach(idOrName: string, streams: AttachStreams): Promise<AttachSession> {
    const rec = this.store.get(idOrName);
    if (rec.state.status === 'running' || rec.state.status === 'paused')
      return this.connectAttach(rec, streams);
    if (rec.state.status !== 'created' && rec.state.status !== 'exited')
      throw new FlotillaError('CONTAINER_NOT_RUNNING', { id: rec.name });
    // Not started yet: connect during the next start, before the process runs.
    return new Promise((resolve, reject) => {
      const list = this.pendingAttach.get(rec.id) ?? [];
      list.push({ streams, resolve, reject });
      this.pendingAttach.set(rec.id, list);
    });
  }

  private async connectAttach(
    rec: ContainerRecord,
    streams: AttachStreams,
  ): Promise<AttachSession> {
    return this.openAttach(rec, streams).session();
  }

  /**
   * Starts the bridge helper at once; `session()` waits for it to connect and wires stdin.
   * `waitForSocketMs` lets a bridge start before conmon has made its attach socket.
   */
  private openAttach(
    rec: ContainerRecord,
    streams: AttachStreams,
    waitForSocketMs = 0,
  ): { bridge: Bridge; session(): Promise<AttachSession> } {
    const stdinMode =
      !streams.stdin || !rec.config.OpenStdin ? 'none' : rec.config.Tty ? 'keep' : 'eof';
    const bridge = openBridge(
      join(this.bundleDir(rec.id), 'attach'),
      stdinMode,
      { onStdout: streams.onStdout, onStderr: streams.onStderr },
      20_000,
      waitForSocketMs,
    );
    const session = async (): Promise<AttachSession> => {
      try {
        await bridge.ready;
      } catch (err) {
        bridge.close();
        throw new FlotillaError('CONTAINER_NOT_RUNNING', { id: rec.name }, { cause: err });
      }
      if (stdinMode !== 'none' && streams.stdin) {
        streams.stdin.on('data', (d: Buffer | string) =>
          bridge.write(typeof d === 'string' ? Buffer.from(d) : d),
        );
        streams.stdin.on('end', () => bridge.endStdin());
      }
      return { done: bridge.done, close: () => bridge.close() };
    };
    return { bridge, session };
  }

  /**
   * Opens the bridges of the attachers waiting for this start before conmon runs, so the
   * helpers' start-up overlaps conmon's and `runc create`'s; they connect once the socket exists.
   */
  private openPendingAttachEarly(rec: ContainerRecord): {
    connect(): Promise<void>;
    fail(err: unknown): void;
  } {
    const list = this.pendingAttach.get(rec.id) ?? [];
    this.pendingAttach.delete(rec.id);
    const opened = list.map((p) => ({ p, a: this.openAttach(rec, p.streams, 15_000) }));
    return {
      connect: async () => {
        for (const { p, a } of opened) {
          try {
            p.resolve(await a.session());
          } catch (err) {
            p.reject(err);
          }
        }
      },
      fail: (err) => {
        for (const { p, a } of opened) {
          a.bridge.close();
          p.reject(err);
        }
      },
    };
  }

  private async connectPendingAttach(rec: ContainerRecord): Promise<void> {
    const list = this.pendingAttach.get(rec.id);
    if (!list) return;
    this.pendingAttach.delete(rec.id);
    for (const p of list) {
      try {
        p.resolve(await this.connectAttach(rec, p.streams));
      } catch (err) {
        p.reject(err);
      }
    }
  }

  private failPendingAttach(id: string, err: unknown): void {
    const list = this.pendingAttach.get(id);
    this.pendingAttach.delete(id);
    for (const p of list ?? []) p.reject(err);
  }

  /** Forgets attach requests whose client went away before the container started. */
  cancelPendingAttach(idOrName: string, streams: AttachStreams): void {
    const rec = this.store.find(idOrName);
    if (!rec) return;
    const list = (this.pendingAttach.get(rec.id) ?? []).filter((p) => p.streams !== streams);
    if (list.length) this.pendingAttach.set(rec.id, list);
    else this.pendingAttach.delete(rec.id);
  }

  async resize(idOrName: string, rows: number, cols: number): Promise<void> {
    const rec = this.store.get(idOrName);
    if (rec.state.status !== 'running') return;
    await this.writeCtl(rec.id, `1 ${Math.max(1, rows)} ${Math.max(1, cols)}`);
  }

  async exec(
    idOrName: string,
    opts: ExecOptions,
    streams: AttachStreams,
    execId?: string,
  ): Promise<number> {
    const rec = this.store.get(idOrName);
    if (rec.state.status === 'paused')
      throw new FlotillaError('CONTAINER_PAUSED', { id: rec.name });
    if (rec.state.status !== 'running')
      throw new FlotillaError('CONTAINER_NOT_RUNNING', { id: rec.name });
    const host = this.execHost(rec);
    if (!execId) return execInContainer(host, rec, opts, streams);
    this.execResizers.set(execId, () => undefined); // until a terminal exists (none without -t)
    try {
      return await execInContainer(host, rec, opts, streams, undefined, (resize) =>
        this.execResizers.set(execId, resize),
      );
    } finally {
      this.execResizers.delete(execId);
    }
  }

  private execHost(rec: ContainerRecord) {
    return { runc: this.runtimeOf(rec), bundleDir: (id: string) => this.bundleDir(id) };
  }

  /** Resizes the terminal of a running `exec -t` (a no-op for an exec without one). */
  async resizeExec(execId: string, rows: number, cols: number): Promise<void> {
    const resize = this.execResizers.get(execId);
    if (!resize) throw new FlotillaError('EXEC_NOT_FOUND', { id: execId });
    if (rows > 0 && cols > 0) resize(rows, cols);
  }

  private async probe(
    rec: ContainerRecord,
    cmd: string[],
    timeoutMs: number,
  ): Promise<{ exitCode: number; output: string }> {
    const chunks: Buffer[] = [];
    const keep = (d: Buffer) => {
      if (chunks.reduce((n, c) => n + c.length, 0) < 4096) chunks.push(d);
    };
    const code = await execInContainer(
      this.execHost(rec),
      rec,
      { cmd },
      { onStdout: keep, onStderr: keep },
      timeoutMs,
    );
    return { exitCode: code, output: Buffer.concat(chunks).subarray(0, 4096).toString() };
  }

  logs(idOrName: string, opts: LogOptions): AsyncIterable<LogEntry> {
    const rec = this.store.get(idOrName);
    const done = () =>
      !this.store.find(rec.id) ||
      (rec.state.status !== 'running' &&
        rec.state.status !== 'paused' &&
        rec.state.status !== 'restarting');
    return readLog(rec.logPath, opts, done);
  }

  private watchLog(rec: ContainerRecord): void {
    this.rotator.watch(rec.id, rec.logPath, parseLogOpts(rec.options.logOpts));
  }

  /** Writes a command to conmon's ctl fifo ("1 rows cols" resize, "2 0 0" reopen the log). */
  private async writeCtl(id: string, line: string): Promise<void> {
    const { open } = await import('node:fs/promises');
    const { constants } = await import('node:fs');
    // O_NONBLOCK: never hang on a fifo whose reader (conmon) is gone.
    const fh = await open(
      join(this.bundleDir(id), 'ctl'),
      constants.O_WRONLY | constants.O_NONBLOCK,
    ).catch(() => undefined);
    if (!fh) return;
    await fh.write(`${line}\n`).catch(() => undefined);
    await fh.close();
  }

  async stats(idOrName: string): Promise<ContainerStats> {
    const rec = this.store.get(idOrName);
    const running = rec.state.status === 'running' || rec.state.status === 'paused';
    const read = () =>
      running
        ? sample(`/flotilla/${rec.id}`, rec.state.pid, {
            unified: hostCgroupLayout().mode === 'unified',
          })
        : undefined;
    let prev = this.prevStats.get(rec.id);
    // CPU % needs two samples. Without a recent one (a first `stats --no-stream`), take a 1 s
    // window now, as Docker's daemon waits for two collection cycles; an old one would average
    // over however long ago it was read.
    if (running && (!prev || Date.now() - prev.atMs > STATS_WINDOW_MAX_MS)) {
      prev = { raw: read(), atMs: Date.now() };
      await new Promise((r) => setTimeout(r, 1000));
    }
    const cur = read();
    if (cur) this.prevStats.set(rec.id, { raw: cur, atMs: Date.now() });
    const { cpus } = await import('node:os');
    return {
      id: rec.id,
      name: rec.name,
      read: new Date().toISOString(),
      cpuPercent: cur && prev?.raw ? cpuPercent(prev.raw, cur) : 0,
      cpuTotalNs: cur?.cpuNs ?? 0,
      systemNs: cur?.systemNs ?? 0,
      onlineCpus: cpus().length,
      memoryUsageBytes: cur?.memUsage ?? 0,
      memoryLimitBytes: cur?.memLimit ?? 0,
      pids: cur?.pids ?? 0,
      netRxBytes: cur?.netRx ?? 0,
      netTxBytes: cur?.netTx ?? 0,
      blkReadBytes: cur?.blkRead ?? 0,
      blkWriteBytes: cur?.blkWrite ?? 0,
    };
  }

  async top(idOrName: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    const rec = this.store.get(idOrName);
    if (rec.state.status !== 'running' && rec.state.status !== 'paused')
      throw new FlotillaError('CONTAINER_NOT_RUNNING', { id: rec.name });
    const pids = await this.runtimeOf(rec).ps(rec.id);
    const { readFileSync } = await import('node:fs');
    const rows = pids.map((pid) => {
      let cmd = '';
      let uid = '';
      let ppid = '';
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        uid = /Uid:\s+(\d+)/.exec(status)?.[1] ?? '';
        ppid = /PPid:\s+(\d+)/.exec(status)?.[1] ?? '';
      } catch {
        // exited meanwhile
      }
      return [uid, String(pid), ppid, cmd];
    });
    return { Titles: ['UID', 'PID', 'PPID', 'CMD'], Processes: rows };
  }

  get volumes(): ContainerRuntime['volumes'] {
    return {
      create: (name, labels) => this.volumeStore.create(name, labels),
      list: () => this.volumeStore.list(),
      inspect: (name) => this.volumeStore.inspect(name),
      remove: async (name, force) => {
        const user = this.store
          .all()
          .find((r) => r.mounts.some((m) => m.Type === 'volume' && m.Name === name));
        if (user && !force)
          throw new FlotillaError('VOLUME_IN_USE', { name, id: user.id.slice(0, 12) });
        await this.volumeStore.remove(name);
      },
    };
  }

  /** For restore.ts: resumes supervision of a container that kept running while we were away. */
  adopt(rec: ContainerRecord): void {
    this.health.watch(rec);
    this.watchLog(rec);
  }

  /** For restore.ts: is this conmon still the one we started? */
  conmonAlive(rec: ContainerRecord): boolean {
    if (!rec.conmon) return false;
    return processStartTime(rec.conmon.pid) === rec.conmon.startTime;
  }

  /** For tests: everything the engine created on the host for this container id. */
  leftovers(id: string): string[] {
    const found: string[] = [];
    for (const p of [
      this.bundleDir(id),
      this.persistDir(id),
      join(this.paths.runcRoot, id),
      join(this.paths.crunRoot, id),
    ])
      if (existsSync(p)) found.push(p);
    for (const ctrl of ['memory', 'pids', 'cpu', 'cpuacct', 'blkio'])
      if (existsSync(`/sys/fs/cgroup/${ctrl}/flotilla/${id}`))
        found.push(`/sys/fs/cgroup/${ctrl}/flotilla/${id}`);
    return found;
  }
}

export function cleanDirSync(dir: string): void {
  for (const f of existsSync(dir) ? readdirSync(dir) : [])
    rmSync(join(dir, f), { recursive: true, force: true });
}

/** The exit code conmon left in a persist dir, if the container has exited. */
export function persistedExit(persistDir: string): number | undefined {
  try {
    const code = parseInt(readFileSync(join(persistDir, 'exit'), 'utf8').trim(), 10);
    return Number.isFinite(code) ? code : undefined;
  } catch {
    return undefined;
  }
}
