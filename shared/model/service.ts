// The declared shape of a service, as written by `service create` or a stack file and stored by the
// manager. Names and defaults follow Swarm's (moby/swarmkit api/specs.proto, api/defaults).
import type { ContainerRuntimeOptions } from './container-runtime.js';
import type { NetworkAttachmentConfig, VirtualIp } from './network.js';
import type { ConfigReference, SecretReference } from './secret.js';

export interface PortConfig {
  /** Port inside the container. */
  target: number;
  /** Port on the node (host mode) or on every node (ingress); 0 or absent = assigned by the manager. */
  published?: number;
  protocol: 'tcp' | 'udp';
  mode: 'ingress' | 'host';
}

export interface Mount {
  type: 'bind' | 'volume' | 'tmpfs';
  source?: string;
  target: string;
  readOnly?: boolean;
  /** tmpfs size in bytes. */
  tmpfsSizeBytes?: number;
  /** volume: leave an empty volume empty instead of copying the image's files into it. */
  noCopy?: boolean;
  /** bind: mount propagation (rprivate when unset). */
  propagation?: 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';
}

export interface HealthConfig {
  /** ['CMD', ...], ['CMD-SHELL', '...'] or ['NONE']. */
  test: string[];
  intervalNs?: number;
  timeoutNs?: number;
  startPeriodNs?: number;
  /** Time between checks during the start period (Docker's start_interval). */
  startIntervalNs?: number;
  retries?: number;
}

export interface Resources {
  /** CPUs in nano-CPUs (1e9 = one CPU), as Swarm. */
  nanoCpus?: number;
  memoryBytes?: number;
  pids?: number;
}

export interface RestartPolicy {
  /** @default 'any' */
  condition: 'none' | 'on-failure' | 'any';
  /** @default 5s */
  delayNs: number;
  /** 0 = unlimited. @default 0 */
  maxAttempts: number;
  /** 0 = unbounded. @default 0 */
  windowNs: number;
}

export interface Placement {
  /** e.g. 'node.role==worker', 'node.labels.zone!=a'. */
  constraints: string[];
  /** spread=node.labels.zone */
  preferences: { spread: string }[];
  /** 0 = unlimited. */
  maxReplicasPerNode: number;
  platforms?: { os: string; architecture: string }[];
}

/** A log driver and its options: Docker's HostConfig.LogConfig, Swarm's TaskTemplate.LogDriver. */
export interface LogDriverConfig {
  name: string;
  options?: Record<string, string>;
}

export interface ContainerSpec extends ContainerRuntimeOptions {
  image: string;
  /** Overrides the image's ENTRYPOINT when set. */
  command?: string[];
  /** Overrides the image's CMD when set. */
  args?: string[];
  env: string[];
  labels: Record<string, string>;
  dir?: string;
  user?: string;
  hostname?: string;
  mounts: Mount[];
  stopSignal?: string;
  stopGracePeriodNs?: number;
  healthcheck?: HealthConfig;
  readOnly?: boolean;
  init?: boolean;
  /** Files under /run/secrets, delivered only to nodes running the task (shared/model/secret.ts). */
  secrets?: SecretReference[];
  configs?: ConfigReference[];
  /** Swarm's TaskTemplate.LogDriver; unset or an empty name = each agent's default driver. */
  logDriver?: LogDriverConfig;
}

export interface TaskTemplate {
  containerSpec: ContainerSpec;
  resources: { limits: Resources; reservations: Resources };
  restartPolicy: RestartPolicy;
  placement: Placement;
  /**
   * Networks the tasks attach to, in order. The manager stores each cluster network's id as
   * `target`; the node-local names bridge, host and none stay names (the agent's own networks).
   */
  networks: NetworkAttachmentConfig[];
  /** Bumped by `service update --force` to replace tasks with an unchanged spec. */
  forceUpdate: number;
}

export interface UpdateConfig {
  /** 0 = all at once. @default 1 */
  parallelism: number;
  /** @default 0 */
  delayNs: number;
  /** @default 'pause' */
  failureAction: 'pause' | 'continue' | 'rollback';
  /** @default 5s */
  monitorNs: number;
  /** @default 0 */
  maxFailureRatio: number;
  /** @default 'stop-first' */
  order: 'stop-first' | 'start-first';
}

export type ServiceMode = { replicated: { replicas: number } } | { global: Record<string, never> };

export interface EndpointSpec {
  mode: 'vip' | 'dnsrr';
  ports: PortConfig[];
}

export interface ServiceSpec {
  name: string;
  labels: Record<string, string>;
  mode: ServiceMode;
  taskTemplate: TaskTemplate;
  updateConfig: UpdateConfig;
  rollbackConfig: UpdateConfig;
  endpointSpec: EndpointSpec;
}

export type UpdateState =
  | 'updating'
  | 'paused'
  | 'completed'
  | 'rollback_started'
  | 'rollback_paused'
  | 'rollback_completed';

export interface UpdateStatus {
  state: UpdateState;
  startedAt?: string;
  completedAt?: string;
  message: string;
  /** The service version this status is about; a newer version starts a new update (manager/update). */
  serviceVersion?: number;
}

export interface Service {
  id: string;
  /** Incremented on every spec change; tasks record the version they were made from. */
  version: number;
  createdAt: string;
  updatedAt: string;
  spec: ServiceSpec;
  previousSpec?: ServiceSpec;
  updateStatus?: UpdateStatus;
  /** Ports as actually published (ingress ports the manager assigned), and its virtual addresses. */
  endpoint?: { ports: PortConfig[]; virtualIps?: VirtualIp[] };
  /**
   * `--with-registry-auth`: the registry credentials its tasks pull with, sealed like a secret
   * (manager/secrets/registry-auth.ts). Outside the spec, and never returned by the API.
   */
  registryAuth?: SealedRegistryAuth;
}

/** Registry credentials sealed under the secrets data key; `id` changes whenever they change. */
export interface SealedRegistryAuth {
  id: string;
  /** host[:port] of the registry they are for (docker.io for Docker Hub). */
  registry: string;
  keyId: string;
  /** base64(iv ‖ tag ‖ ciphertext) of `{"username","password"}`. */
  sealed: string;
}
