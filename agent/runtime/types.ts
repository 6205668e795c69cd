// The contract of the container engine: what the local API, the executor and `build` use to run
// containers. Owned by agent/runtime; consumers depend on these types only. The types the engine
// API carries over the wire live in shared/engine (the CLI uses them too) and are re-exported here.
import type {
  ContainerCreateOptions,
  ContainerEvent,
  ContainerStats,
  ContainerSummary,
  ContainerUpdate,
  ObjectEvent,
  VolumeInfo,
} from '../../shared/engine/index.js';
import type { FsView } from '../../shared/archive/index.js';

export type {
  ContainerCreateOptions,
  ContainerEvent,
  ContainerState,
  ContainerStats,
  ContainerSummary,
  ContainerUpdate,
  HealthSpec,
  MountSpec,
  RestartPolicySpec,
  VolumeInfo,
} from '../../shared/engine/index.js';

export interface ContainerEngine {
  create(opts: ContainerCreateOptions): Promise<{ id: string; warnings: string[] }>;
  start(idOrName: string): Promise<void>;
  stop(idOrName: string, opts?: { timeoutSec?: number; signal?: string }): Promise<void>;
  kill(idOrName: string, signal?: string): Promise<void>;
  remove(idOrName: string, opts?: { force?: boolean; volumes?: boolean }): Promise<void>;
  /** Docker-like inspect document. */
  inspect(idOrName: string): Promise<Record<string, unknown>>;
  /** With `size`, each summary has `sizeRw` (a walk of its writable layer: slower). */
  list(opts?: {
    all?: boolean;
    labels?: Record<string, string>;
    size?: boolean;
  }): Promise<ContainerSummary[]>;
  /** Resolves with the exit code once the container has exited. */
  wait(idOrName: string, signal?: AbortSignal): Promise<number>;
  /** Lifecycle and health events; returns an unsubscribe function. */
  subscribe(listener: (e: ContainerEvent) => void): () => void;
}

// ---- Added by the runtime for the local API and the CLI (beyond the executor's needs). ----

export interface AttachStreams {
  /** Bytes for the container's stdin; its end closes the container's stdin (non-tty). */
  stdin?: NodeJS.ReadableStream;
  onStdout(data: Buffer): void;
  onStderr(data: Buffer): void;
}

export interface AttachSession {
  /** Resolves when the container's stdio closes or the session is closed. */
  done: Promise<void>;
  close(): void;
}

export interface ExecOptions {
  cmd: string[];
  env?: string[];
  user?: string;
  workingDir?: string;
  tty?: boolean;
  privileged?: boolean;
  /** Initial window size of the exec's terminal (tty only). */
  rows?: number;
  cols?: number;
}

export interface LogOptions {
  follow?: boolean;
  /** Last N lines; undefined = all. */
  tail?: number;
  /** Unix seconds (fractional). */
  since?: number;
  until?: number;
  stdout?: boolean;
  stderr?: boolean;
  signal?: AbortSignal;
}

export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** RFC3339Nano as conmon wrote it. */
  time: string;
  /** The line, with its newline unless it was partial. */
  data: Buffer;
  /** Docker's extra attributes (--log-opt labels/env/tag), for `logs --details`. */
  attrs?: Record<string, string>;
}

/** The full engine: ContainerEngine plus what `flotilla` container commands need. */
/** A container's files for `cp`: the view, and the owner its configured User maps to. */
export interface ContainerFiles {
  view: FsView;
  /** uid/gid of the container's `User` in its /etc/passwd (read through the view); none without. */
  userOwner(): Promise<{ uid: number; gid: number } | undefined>;
}

export interface ContainerRuntime extends ContainerEngine {
  /** Volume (create, destroy, mount, unmount) and network (connect, disconnect) events. */
  subscribeObjects(listener: (e: ObjectEvent) => void): () => void;
  restart(idOrName: string, opts?: { timeoutSec?: number }): Promise<void>;
  pause(idOrName: string): Promise<void>;
  unpause(idOrName: string): Promise<void>;
  rename(idOrName: string, newName: string): Promise<void>;
  /** New limits and restart policy: in the record, and live in the cgroup while it runs. */
  update(idOrName: string, u: ContainerUpdate): Promise<{ warnings: string[] }>;
  /** Waits with Docker's conditions: not-running (default), next-exit, removed. */
  waitFor(
    idOrName: string,
    condition?: 'not-running' | 'next-exit' | 'removed',
    signal?: AbortSignal,
  ): Promise<number>;
  attach(idOrName: string, streams: AttachStreams): Promise<AttachSession>;
  resize(idOrName: string, rows: number, cols: number): Promise<void>;
  /**
   * Runs a process in a running container; resolves with its exit code. With an `execId`, the
   * exec can be resized through `resizeExec` while it runs.
   */
  exec(
    idOrName: string,
    opts: ExecOptions,
    streams: AttachStreams,
    execId?: string,
  ): Promise<number>;
  /** Sets the window size of a running exec's terminal; EXEC_NOT_FOUND once it has ended. */
  resizeExec(execId: string, rows: number, cols: number): Promise<void>;
  logs(idOrName: string, opts: LogOptions): AsyncIterable<LogEntry>;
  stats(idOrName: string): Promise<ContainerStats>;
  /** `ps_args`: the arguments of the host's `ps` (Docker's, default `-ef`). */
  top(idOrName: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }>;
  prune(): Promise<{ ContainersDeleted: string[] }>;
  /**
   * Runs `fn` on the container's files (`cp`): its rootfs with its volumes and bind mounts, running
   * or not (a stopped container's snapshot is mounted for the call, and its start waits).
   */
  withFilesystem<T>(idOrName: string, fn: (files: ContainerFiles) => Promise<T>): Promise<T>;
  volumes: {
    create(name?: string, labels?: Record<string, string>): Promise<VolumeInfo>;
    list(): Promise<VolumeInfo[]>;
    inspect(name: string): Promise<VolumeInfo>;
    remove(name: string, force?: boolean): Promise<void>;
    /** Docker's volume prune: unused anonymous volumes, or every unused one with `all`. */
    prune(opts: { all?: boolean; labels?: string[] }): Promise<{ VolumesDeleted: string[] }>;
  };
}
