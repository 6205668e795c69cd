// The contract of the container engine: what the local API, the executor and `build` use to run
// containers. Owned by agent/runtime; consumers depend on these types only.
import type { PortBinding } from '../network/types.js';

export interface MountSpec {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Host path (bind) or volume name (volume; empty = anonymous). */
  source?: string;
  target: string;
  readOnly?: boolean;
  tmpfsSizeBytes?: number;
  /** A bind from `-v` (short syntax): a missing host directory is created, as Docker does. */
  createHostPath?: boolean;
}

export interface HealthSpec {
  /** ['CMD', ...], ['CMD-SHELL', '...'] or ['NONE']. */
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  startPeriodMs?: number;
  retries?: number;
}

export interface RestartPolicySpec {
  name: 'no' | 'on-failure' | 'always' | 'unless-stopped';
  /** on-failure only; 0 = no limit. */
  maxRetries?: number;
}

/** Everything `docker create` takes, in our words. Unset fields inherit from the image config. */
export interface ContainerCreateOptions {
  image: string;
  name?: string;
  /** Overrides the image CMD. */
  cmd?: string[];
  /** Overrides the image ENTRYPOINT; [] means "no entrypoint". */
  entrypoint?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  hostname?: string;
  labels?: Record<string, string>;
  tty?: boolean;
  openStdin?: boolean;
  autoRemove?: boolean;
  /** OCI runtime: runc or crun (crun only on unified cgroup v2 hosts). @default the agent's */
  runtime?: string;
  restartPolicy?: RestartPolicySpec;
  stopSignal?: string;
  stopTimeoutSec?: number;
  mounts?: MountSpec[];
  network?: string;
  networkAliases?: string[];
  ports?: PortBinding[];
  publishAll?: boolean;
  memoryBytes?: number;
  memorySwapBytes?: number;
  nanoCpus?: number;
  cpuShares?: number;
  pidsLimit?: number;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  securityOpt?: string[];
  readOnlyRootfs?: boolean;
  tmpfs?: Record<string, string>;
  ulimits?: { name: string; soft: number; hard: number }[];
  init?: boolean;
  healthcheck?: HealthSpec;
  noHealthcheck?: boolean;
  /**
   * Docker's --log-opt for the k8s-file log: `max-size` (e.g. 10m; rotate past it) and
   * `max-file` (files kept, the live one included). @default max-size 10m, max-file 3
   */
  logOpts?: Record<string, string>;
}

export type ContainerState =
  'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  imageId: string;
  command: string;
  createdAt: string;
  state: ContainerState;
  /** "Up 3 minutes (healthy)", "Exited (0) 2 seconds ago" — as `docker ps` shows. */
  status: string;
  ports: PortBinding[];
  labels: Record<string, string>;
}

export interface ContainerEvent {
  type: 'container';
  action:
    | 'create'
    | 'start'
    | 'die'
    | 'stop'
    | 'kill'
    | 'oom'
    | 'destroy'
    | 'pause'
    | 'unpause'
    | 'rename'
    | 'restart'
    | 'health_status';
  id: string;
  name: string;
  time: string;
  attributes: Record<string, string>;
}

export interface ContainerEngine {
  create(opts: ContainerCreateOptions): Promise<{ id: string; warnings: string[] }>;
  start(idOrName: string): Promise<void>;
  stop(idOrName: string, opts?: { timeoutSec?: number; signal?: string }): Promise<void>;
  kill(idOrName: string, signal?: string): Promise<void>;
  remove(idOrName: string, opts?: { force?: boolean; volumes?: boolean }): Promise<void>;
  /** Docker-like inspect document. */
  inspect(idOrName: string): Promise<Record<string, unknown>>;
  list(opts?: { all?: boolean; labels?: Record<string, string> }): Promise<ContainerSummary[]>;
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
}

export interface ContainerStats {
  id: string;
  name: string;
  read: string;
  cpuPercent: number;
  cpuTotalNs: number;
  systemNs: number;
  onlineCpus: number;
  memoryUsageBytes: number;
  memoryLimitBytes: number;
  pids: number;
  netRxBytes: number;
  netTxBytes: number;
  blkReadBytes: number;
  blkWriteBytes: number;
}

export interface VolumeInfo {
  Name: string;
  Driver: 'local';
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string>;
  Scope: 'local';
}

/** The full engine: ContainerEngine plus what `flotilla` container commands need. */
export interface ContainerRuntime extends ContainerEngine {
  restart(idOrName: string, opts?: { timeoutSec?: number }): Promise<void>;
  pause(idOrName: string): Promise<void>;
  unpause(idOrName: string): Promise<void>;
  rename(idOrName: string, newName: string): Promise<void>;
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
  top(idOrName: string): Promise<{ Titles: string[]; Processes: string[][] }>;
  prune(): Promise<{ ContainersDeleted: string[] }>;
  volumes: {
    create(name?: string, labels?: Record<string, string>): Promise<VolumeInfo>;
    list(): Promise<VolumeInfo[]>;
    inspect(name: string): Promise<VolumeInfo>;
    remove(name: string, force?: boolean): Promise<void>;
  };
}
