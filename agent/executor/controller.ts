// Runs one task on this node: drives it through the hooks, reports each state, watches the
// container until it exits, and stops it when the manager wants it shut down. States reported
// only move forward (shared/model isForward); a task never runs twice — a restart is a new task.
//
//   assigned → preparing (pull, network) → ready (created) → starting → running
//                                                                │
//                   exit 0 → complete, exit ≠ 0 / unhealthy → failed, stopped by us → shutdown
import type { Logger } from '../../shared/log/index.js';
import type { Task, TaskState, TaskStatus } from '../../shared/model/index.js';
import { isForward, isTerminal } from '../../shared/model/index.js';
import type { ContainerEngine } from '../runtime/index.js';
import { meshNetwork } from './hooks/index.js';
import type {
  HookContext,
  ImagePuller,
  PullAuthSource,
  NetworkProvisioner,
  StatusSink,
  TaskFileProvisioner,
  TaskHook,
} from './types.js';

export interface ControllerDeps {
  engine: ContainerEngine;
  images?: ImagePuller;
  pullAuth?: PullAuthSource;
  networks?: NetworkProvisioner;
  files?: TaskFileProvisioner;
  hooks: readonly TaskHook[];
  report: StatusSink;
  log: Logger;
  nodeId: string;
  now(): number;
  /**
   * Drain delay for tasks with ingress ports or on cluster networks (ExecutorDeps.ingressDrainMs).
   * @default 2000
   */
  ingressDrainMs?: number;
}

/** Long enough for every node to apply the manager's new endpoint set (one message, one restore). */
export const defaultIngressDrainMs = 2000;

export class TaskController {
  private state: TaskState;
  private lastStatus?: TaskStatus;
  private health?: TaskStatus['health'];
  private containerId?: string;
  /** The container's address, reported with every status (the routing mesh forwards to it). */
  private address?: string;
  private readonly abort = new AbortController();
  private readonly cleanups: (() => void)[] = [];
  private stopping = false;
  /** The agent is shutting down: containers are left running for the next agent to adopt. */
  private detached = false;
  private run?: Promise<void>;
  private readonly log: Logger;

  constructor(
    private task: Task,
    private readonly deps: ControllerDeps,
  ) {
    this.state = task.status.state;
    this.log = deps.log.child({ taskId: task.id, serviceId: task.serviceId });
  }

  get id(): string {
    return this.task.id;
  }

  get currentState(): TaskState {
    return this.state;
  }

  /** Takes the manager's latest view of the task and acts on its desired state. */
  update(task: Task): void {
    this.task = task;
    if (task.desiredState !== 'running') {
      void this.shutdown();
      return;
    }
    if (!this.run && !isTerminal(this.state) && !this.stopping) this.run = this.execute();
  }

  /** Takes over a container found on this node (agent restart or reconnect) without restarting it. */
  adopt(containerId: string, running: boolean, exitCode?: number): void {
    this.containerId = containerId;
    if (this.task.desiredState !== 'running') {
      void this.shutdown();
      return;
    }
    if (running) {
      this.run = this.lookupAddress(containerId).then(() => {
        if (this.stopping) return;
        this.report('running', 'container running', { containerId });
        return this.watch(containerId);
      });
    } else {
      this.finish(exitCode ?? 0);
    }
  }

  /**
   * A full assignment set arrived (new session): if the manager is behind what this agent last
   * reported (an update lost with the old stream), report it again.
   */
  resync(task: Task): void {
    if (this.lastStatus && isForward(task.status.state, this.lastStatus.state))
      this.deps.report(this.task.id, this.lastStatus);
    this.update(task);
  }

  /** The manager thinks this task started here, but its container is gone (e.g. host reboot). */
  lost(): void {
    if (this.task.desiredState !== 'running') return this.report('shutdown', 'container not found');
    this.report('failed', 'container not found on the node', { err: 'container not found' });
  }

  /** Stops the container within its grace period; the task ends as shutdown. */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.abort.abort();
    const id = this.containerId;
    if (id && this.state === 'running' && (this.publishesIngress() || this.onClusterNetworks())) {
      // The manager took this task out of the routing mesh, the overlays' DNS and every client's
      // VIP rules when it asked for the stop; give every node time to apply that before the process
      // is told to go, so no new connection (through a port, a VIP or a fresh lookup) reaches it.
      const drainMs = this.deps.ingressDrainMs ?? defaultIngressDrainMs;
      this.log.debug({ drainMs }, 'draining ingress connections before stop');
      await new Promise((r) => setTimeout(r, drainMs));
    }
    if (id) {
      const grace = this.task.spec.containerSpec.stopGracePeriodNs;
      await this.deps.engine
        .stop(id, {
          ...(grace !== undefined ? { timeoutSec: Math.ceil(grace / 1e9) } : { timeoutSec: 10 }),
          ...(this.task.spec.containerSpec.stopSignal
            ? { signal: this.task.spec.containerSpec.stopSignal }
            : {}),
        })
        .catch((err) => this.log.warn({ err, containerId: id }, 'stopping container failed'));
    }
    this.report('shutdown', 'shutdown by the manager');
    this.finishCleanups();
  }

  /** Shuts down and removes the container: the task is no longer this node's. */
  async destroy(): Promise<void> {
    await this.shutdown();
    await this.run?.catch(() => undefined);
    if (this.containerId)
      await this.deps.engine
        .remove(this.containerId, { force: true })
        .catch((err) => this.log.debug({ err }, 'removing container failed'));
  }

  /** Stops watching without touching the container (agent shutdown: containers keep running). */
  detach(): void {
    this.detached = true;
    this.stopping = true;
    this.abort.abort();
    this.finishCleanups();
  }

  private async execute(): Promise<void> {
    const ctx: HookContext = {
      task: this.task,
      engine: this.deps.engine,
      images: this.deps.images,
      pullAuth: this.deps.pullAuth,
      networks: this.deps.networks,
      files: this.deps.files,
      log: this.log,
      signal: this.abort.signal,
      nodeId: this.deps.nodeId,
      createOptions: { image: this.task.spec.containerSpec.image },
      report: (state, message, extra) => this.report(state, message, extra),
      onFinish: (fn) => this.cleanups.push(fn),
      fail: (message) => void this.failRunning(message),
    };
    const started = this.deps.now();
    let stage = '';
    try {
      this.report('accepted', 'accepted by the agent');
      for (const hook of this.deps.hooks) {
        if (this.abort.signal.aborted) break;
        stage = hook.name;
        await hook.run(ctx);
        if (ctx.containerId) this.containerId = ctx.containerId;
      }
    } catch (err) {
      if (ctx.containerId) this.containerId = ctx.containerId;
      if (this.stopping) return this.stopLateContainer();
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn({ err, stage }, 'task failed to start');
      this.report('failed', `${stage}: ${message}`, { err: message });
      this.finishCleanups();
      return;
    }
    if (this.stopping) return this.stopLateContainer();
    if (!this.containerId) return;
    await this.lookupAddress(this.containerId);
    if (this.stopping) return;
    this.report('running', 'container running', { containerId: this.containerId });
    this.log.info({ to: 'running', durationMs: this.deps.now() - started }, 'task state changed');
    await this.watch(this.containerId);
  }

  /**
   * The manager asked for the stop while a hook was creating or starting the container: shutdown()
   * found no container then, so stop the one that hook made now (else it ran on, a task nobody
   * watches; seen after a partition, when the node's new tasks were orphaned as they started).
   */
  private async stopLateContainer(): Promise<void> {
    const id = this.containerId;
    if (this.detached) return;
    if (id) {
      this.log.info({ containerId: id }, 'stopping a container started after its task was stopped');
      const grace = this.task.spec.containerSpec.stopGracePeriodNs;
      await this.deps.engine
        .stop(id, { timeoutSec: grace !== undefined ? Math.ceil(grace / 1e9) : 10 })
        .catch((err) => this.log.warn({ err, containerId: id }, 'stopping container failed'));
    }
    // What that hook set up after shutdown() ran the cleanups (a network attachment).
    this.finishCleanups();
  }

  private publishesIngress(): boolean {
    return this.task.endpointPorts.some((p) => p.mode === 'ingress');
  }

  /** On an overlay: other nodes' DNS and VIP rules point at it until they apply the stop. */
  private onClusterNetworks(): boolean {
    return (this.task.networks?.length ?? 0) > 0;
  }

  /**
   * The address the routing mesh forwards to: on the default bridge when the task is connected to
   * it (hooks/network.ts meshHook), else the primary one. Best effort: a container on the host
   * network or none has none.
   */
  private async lookupAddress(containerId: string): Promise<void> {
    const mesh = this.deps.networks?.addressOn?.(meshNetwork, containerId);
    if (mesh) {
      this.address = mesh;
      return;
    }
    try {
      const doc = await this.deps.engine.inspect(containerId);
      const ip = (doc.NetworkSettings as { IPAddress?: unknown } | undefined)?.IPAddress;
      if (typeof ip === 'string' && ip) this.address = ip;
    } catch (err) {
      this.log.debug({ err, containerId }, 'no container address');
    }
  }

  private async watch(containerId: string): Promise<void> {
    try {
      const code = await this.deps.engine.wait(containerId, this.abort.signal);
      this.finish(code);
    } catch (err) {
      if (!this.stopping) this.log.warn({ err, containerId }, 'waiting for container failed');
    }
  }

  private finish(exitCode: number): void {
    if (this.stopping) return this.report('shutdown', 'container stopped', { exitCode });
    if (exitCode === 0) this.report('complete', 'finished', { exitCode });
    else
      this.report('failed', `task: non-zero exit (${exitCode})`, {
        exitCode,
        err: `task: non-zero exit (${exitCode})`,
      });
    this.finishCleanups();
  }

  private async failRunning(message: string): Promise<void> {
    if (this.stopping || isTerminal(this.state)) return;
    this.report('failed', message, { err: message, health: 'unhealthy' });
    this.stopping = true;
    this.abort.abort();
    if (this.containerId)
      await this.deps.engine.stop(this.containerId, { timeoutSec: 10 }).catch(() => undefined);
    this.finishCleanups();
  }

  private report(state: TaskState, message: string, extra: Partial<TaskStatus> = {}): void {
    const healthChanged = state === this.state && extra.health && extra.health !== this.health;
    if (!isForward(this.state, state) && !healthChanged) return;
    this.state = state;
    if (extra.health) this.health = extra.health;
    const status: TaskStatus = {
      state,
      message,
      timestamp: new Date(this.deps.now()).toISOString(),
      ...(this.containerId ? { containerId: this.containerId } : {}),
      ...(this.address ? { address: this.address } : {}),
      ...(this.health ? { health: this.health } : {}),
      ...extra,
    };
    this.lastStatus = status;
    this.deps.report(this.task.id, status);
  }

  private finishCleanups(): void {
    for (const fn of this.cleanups.splice(0)) fn();
  }
}
