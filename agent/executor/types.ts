// Contracts of the executor: what a hook sees, and the optional collaborators (image pulls,
// networking) it uses when the agent provides them.
import type { Credentials } from '../../shared/engine/index.js';
import type { Logger } from '../../shared/log/index.js';
import type { Task, TaskState, TaskStatus } from '../../shared/model/index.js';
import type { NetworkProvisioner } from '../network/index.js';
import type { ContainerCreateOptions, ContainerEngine } from '../runtime/index.js';

/** Pulls an image so `create` can use it; absent = the engine resolves images itself. */
export interface ImagePuller {
  pull(ref: string, opts?: { signal?: AbortSignal; credentials?: Credentials }): Promise<unknown>;
  /** Throws when the image is not on this node. */
  find?(ref: string): unknown;
}

/** A task's registry credentials (`--with-registry-auth`), as the manager sent them. */
export interface PullAuthSource {
  forTask(task: Task, signal?: AbortSignal): Promise<Credentials | undefined>;
}

/** Creates a task's network on this node when it does not exist yet (stack networks). */
export type { NetworkProvisioner } from '../network/index.js';

/**
 * A task's secret and config files (agent/secrets): written to a tmpfs of the task's own, returned
 * as read-only bind mounts; released when the task is removed from this node.
 */
export interface TaskFileProvisioner {
  prepare(
    task: Task,
    signal?: AbortSignal,
  ): Promise<{ type: 'bind'; source: string; target: string; readOnly: boolean }[]>;
  release(taskId: string): Promise<void>;
}

/** Receives every status change of every task (the reporter). */
export type StatusSink = (taskId: string, status: TaskStatus) => void;

/** Shared state of one task's run through the hooks. */
export interface HookContext {
  task: Task;
  engine: ContainerEngine;
  images?: ImagePuller;
  pullAuth?: PullAuthSource;
  networks?: NetworkProvisioner;
  files?: TaskFileProvisioner;
  log: Logger;
  signal: AbortSignal;
  nodeId: string;
  /** Filled by the hooks before `create`. */
  createOptions: ContainerCreateOptions;
  containerId?: string;
  report(state: TaskState, message: string, extra?: Partial<TaskStatus>): void;
  /** Registered by hooks that keep watching after start (health); run when the task ends. */
  onFinish(cleanup: () => void): void;
  /** Fails the running task from outside the run (an unhealthy container). */
  fail(message: string): void;
}

export interface TaskHook {
  name: string;
  run(ctx: HookContext): Promise<void>;
}
