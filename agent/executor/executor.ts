// Turns this node's assignments into containers: one TaskController per task. On a full assignment
// set (every session open) it reconciles: known tasks are updated in place — a healthy container
// is never restarted because the connection dropped — containers of tasks the manager no longer
// assigns here are stopped and removed, and tasks whose container vanished are reported failed.
import type { Logger } from '../../shared/log/index.js';
import type { Task } from '../../shared/model/index.js';
import { isTerminal } from '../../shared/model/index.js';
import type { ContainerEngine, ContainerSummary } from '../runtime/index.js';
import { TaskController } from './controller.js';
import { defaultHooks } from './hooks/index.js';
import { taskLabels } from './labels.js';
import type {
  ImagePuller,
  NetworkProvisioner,
  StatusSink,
  PullAuthSource,
  TaskFileProvisioner,
  TaskHook,
} from './types.js';

export interface ExecutorDeps {
  engine: ContainerEngine;
  log: Logger;
  report: StatusSink;
  nodeId: string;
  images?: ImagePuller;
  /** Registry credentials of tasks (`--with-registry-auth`); absent = anonymous pulls. */
  pullAuth?: PullAuthSource;
  networks?: NetworkProvisioner;
  /** Secret and config files of tasks; absent = tasks that use any fail. */
  files?: TaskFileProvisioner;
  /** @default defaultHooks */
  hooks?: readonly TaskHook[];
  clock?: { now(): number };
  /**
   * How long a task with ingress ports or on a cluster network keeps running after the manager
   * asked it to stop, before it gets its stop signal: every node drops it from the routing mesh,
   * the overlays' DNS and the VIP rules meanwhile. @default 2000
   */
  ingressDrainMs?: number;
}

export type AssignmentUpdate =
  { action: 'assign'; task: Task } | { action: 'remove'; taskId: string };

export class Executor {
  private readonly log: Logger;
  private readonly controllers = new Map<string, TaskController>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ExecutorDeps) {
    this.log = deps.log.child({ component: 'executor' });
  }

  async start(): Promise<void> {}

  /** Leaves containers running: the agent may restart and adopt them. */
  async stop(): Promise<void> {
    await this.queue;
    for (const c of this.controllers.values()) c.detach();
    this.controllers.clear();
  }

  /** Applies assignments in arrival order; `full` means anything not listed is not ours any more. */
  apply(full: boolean, updates: AssignmentUpdate[]): Promise<void> {
    this.queue = this.queue
      .then(() => this.applyNow(full, updates))
      .catch((err) => this.log.warn({ err }, 'applying assignments failed'));
    return this.queue;
  }

  get taskCount(): number {
    return this.controllers.size;
  }

  private async applyNow(full: boolean, updates: AssignmentUpdate[]): Promise<void> {
    const containers = full ? await this.taskContainers() : new Map<string, ContainerSummary>();
    const listed = new Set<string>();
    for (const u of updates) {
      if (u.action === 'remove') {
        const c = this.controllers.get(u.taskId);
        this.controllers.delete(u.taskId);
        if (c) this.destroy(c);
        else if (containers.has(u.taskId)) await this.removeContainer(containers.get(u.taskId)!);
        else await this.releaseFiles(u.taskId);
        continue;
      }
      const task = u.task;
      listed.add(task.id);
      let c = this.controllers.get(task.id);
      if (c) {
        if (full) c.resync(task);
        else c.update(task);
        continue;
      }
      c = new TaskController(task, {
        engine: this.deps.engine,
        images: this.deps.images,
        pullAuth: this.deps.pullAuth,
        networks: this.deps.networks,
        files: this.deps.files,
        hooks: this.deps.hooks ?? defaultHooks,
        report: this.deps.report,
        log: this.log,
        nodeId: this.deps.nodeId,
        now: () => this.deps.clock?.now() ?? Date.now(),
        ingressDrainMs: this.deps.ingressDrainMs,
      });
      this.controllers.set(task.id, c);
      const existing =
        containers.get(task.id) ??
        (full || task.status.state === 'assigned' ? undefined : await this.findContainer(task.id));
      if (existing) {
        const running = existing.state === 'running' || existing.state === 'restarting';
        c.adopt(existing.id, running, running ? undefined : await this.exitCode(existing.id));
      } else if (task.status.state === 'assigned' || task.status.state === 'pending') {
        c.update(task);
      } else if (!isTerminal(task.status.state)) {
        c.lost();
      }
    }
    if (!full) return;
    for (const [id, c] of this.controllers)
      if (!listed.has(id)) {
        this.controllers.delete(id);
        this.destroy(c);
      }
    for (const [taskId, summary] of containers)
      if (!listed.has(taskId) && !this.controllers.has(taskId)) await this.removeContainer(summary);
  }

  /** Removes the task's container, then its secret files (their tmpfs is bind-mounted into it). */
  private destroy(c: TaskController): void {
    void c.destroy().then(() => this.releaseFiles(c.id));
  }

  private async releaseFiles(taskId: string): Promise<void> {
    await this.deps.files
      ?.release(taskId)
      .catch((err) => this.log.warn({ err, taskId }, 'releasing task secrets failed'));
  }

  private async taskContainers(): Promise<Map<string, ContainerSummary>> {
    const all = await this.deps.engine.list({
      all: true,
      labels: { [taskLabels.nodeId]: this.deps.nodeId },
    });
    const m = new Map<string, ContainerSummary>();
    for (const c of all) {
      const id = c.labels[taskLabels.taskId];
      if (id) m.set(id, c);
    }
    return m;
  }

  private async findContainer(taskId: string): Promise<ContainerSummary | undefined> {
    const found = await this.deps.engine.list({
      all: true,
      labels: { [taskLabels.taskId]: taskId },
    });
    return found[0];
  }

  private async exitCode(containerId: string): Promise<number> {
    const doc = await this.deps.engine
      .inspect(containerId)
      .catch(() => ({}) as Record<string, unknown>);
    const state = doc.State as { ExitCode?: number } | undefined;
    return state?.ExitCode ?? 0;
  }

  private async removeContainer(c: ContainerSummary): Promise<void> {
    this.log.info(
      { containerId: c.id, taskId: c.labels[taskLabels.taskId] },
      'removing container of a task no longer assigned',
    );
    await this.deps.engine.stop(c.id, { timeoutSec: 10 }).catch(() => undefined);
    await this.deps.engine.remove(c.id, { force: true }).catch(() => undefined);
    const taskId = c.labels[taskLabels.taskId];
    if (taskId) await this.releaseFiles(taskId);
  }
}
