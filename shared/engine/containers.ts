// The containers part of the agent's local engine API as the CLI and the agent exchange it: create
// options, listings, events, stats, volumes. agent/runtime implements them; the CLI only sends and shows them.
import type { PortBinding } from './networks.js';
import type { TaskNetworkAttachment } from '../model/index.js';
import type { RuntimeSpecOptions } from './spec-options.js';

/** A further network of a container: its name, DNS aliases and the address asked for (--ip). */
export interface ExtraNetwork {
  network: string;
  aliases?: string[];
  ipv4Address?: string;
}

export interface MountSpec {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Host path (bind) or volume name (volume; empty = anonymous). */
  source?: string;
  target: string;
  readOnly?: boolean;
  tmpfsSizeBytes?: number;
  /** A bind from `-v` (short syntax): a missing host directory is created, as Docker does. */
  createHostPath?: boolean;
  /** Volume: do not seed an empty volume from the image's files at the target (`nocopy`). */
  noCopy?: boolean;
  /** Bind: mount propagation (`rprivate` when unset, as Docker). */
  propagation?: 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';
}

export interface HealthSpec {
  /** ['CMD', ...], ['CMD-SHELL', '...'] or ['NONE']. */
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  startPeriodMs?: number;
  /** Time between checks during the start period. @default 5s */
  startIntervalMs?: number;
  retries?: number;
}

export interface RestartPolicySpec {
  name: 'no' | 'on-failure' | 'always' | 'unless-stopped';
  /** on-failure only; 0 = no limit. */
  maxRetries?: number;
}

/**
 * `update`: what can change on a created container (Docker's POST /containers/{id}/update).
 * Absent: unchanged. pidsLimit 0 or -1: unlimited. memorySwapBytes -1: unlimited swap.
 */
export interface ContainerUpdate {
  memoryBytes?: number;
  memorySwapBytes?: number;
  nanoCpus?: number;
  cpuShares?: number;
  pidsLimit?: number;
  restartPolicy?: RestartPolicySpec;
}

/** Everything `docker create` takes, in our words. Unset fields inherit from the image config. */
export interface ContainerCreateOptions extends RuntimeSpecOptions {
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
  /**
   * --ip: the container's IPv4 address on `network`, a user-defined bridge network (Docker's
   * NetworkingConfig.EndpointsConfig[net].IPAMConfig.IPv4Address); inside its subnet and free.
   */
  ipv4Address?: string;
  /**
   * More networks than `network` (`run --network a --network b`, Docker's second and later
   * EndpointsConfig entries): user-defined bridge networks, plugged as eth1… at every start.
   */
  extraNetworks?: ExtraNetwork[];
  /** --platform: `os/arch[/variant]` the image must match (Docker's `?platform=` on create). */
  platform?: string;
  /** --volumes-from: `CONTAINER[:ro|:rw]`, whose volumes and binds are mounted too. */
  volumesFrom?: string[];
  /**
   * Cluster (overlay) networks with the manager's addresses: set by the executor for tasks only
   * (the local API refuses it), plugged as eth1… after `network`'s interface.
   */
  overlays?: TaskNetworkAttachment[];
  /**
   * The manager's attachment of a standalone container to a cluster overlay (`run --network NAME`
   * on a joined agent): released when the container is removed. Set by the runtime only.
   */
  clusterAttachmentId?: string;
  ports?: PortBinding[];
  /** -P: every exposed port (image EXPOSE, --expose) not published by `ports` gets a random host port. */
  publishAll?: boolean;
  /** --expose: ExposedPorts keys (`80/tcp`) added to the image's. */
  expose?: string[];
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
  /** Nameservers instead of the host's; on a user network its DNS forwards other names to them. */
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** `name:ip` lines for /etc/hosts (ip may be `host-gateway`: the container's gateway). */
  extraHosts?: string[];
  /** Namespaced kernel parameters (runtime-options.ts checkSysctl). */
  sysctls?: Record<string, string>;
  /** Supplementary groups of the process, by name (the image's /etc/group) or number. */
  groupAdd?: string[];
  healthcheck?: HealthSpec;
  noHealthcheck?: boolean;
  /**
   * Docker's --log-driver: json-file, local, journald, syslog, none or k8s-file
   * (shared/engine/log-drivers.ts). @default the agent's --log-driver (json-file)
   */
  logDriver?: string;
  /**
   * Docker's --log-opt for the driver (e.g. json-file's `max-size`, `max-file`, `compress`).
   * @default max-size 10m, max-file 3 for the file drivers
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
  /** For `ps --filter`: health (`none` without a check), network, mounts, exposed `80/tcp`. */
  health?: 'starting' | 'healthy' | 'unhealthy' | 'none';
  networks?: string[];
  /** Volume names and mount destinations. */
  mounts?: string[];
  exposed?: string[];
  /** With `size`: bytes the container wrote to its own layer (Docker's SizeRw). */
  sizeRw?: number;
  /** With `size`: the image's bytes plus sizeRw (Docker's SizeRootFs). */
  sizeRootFs?: number;
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
    | 'update'
    | 'restart'
    | 'health_status'
    | 'commit';
  id: string;
  name: string;
  time: string;
  attributes: Record<string, string>;
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
