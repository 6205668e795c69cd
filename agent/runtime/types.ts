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
