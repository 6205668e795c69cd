// The persisted record of one container (<dataRoot>/containers/<id>/container.json): identity,
// the merged config, the options it was created with, and its state. Written on every change.
//
//   created ──start──► running ──exit──► exited ──start──► running
//      │                │  ▲                │
//      │            pause│  │unpause         └──rm──► (gone)
//      │                ▼  │
//      └──rm──►      paused          restarting: exited, waiting out a restart-policy backoff
import type { NetworkAttachment } from '../../network/index.js';
import type { MergedConfig } from '../bundle/merge.js';
import type { ContainerCreateOptions, ContainerState } from '../types.js';

export interface HealthResult {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface HealthState {
  Status: 'starting' | 'healthy' | 'unhealthy';
  FailingStreak: number;
  Log: HealthResult[];
}

export interface ResolvedMount {
  Type: 'bind' | 'volume' | 'tmpfs';
  Name?: string;
  Source: string;
  Destination: string;
  RW: boolean;
  /** Anonymous volumes are removed with `rm -v` (and with --rm). */
  Anonymous?: boolean;
  /** tmpfs only: its size limit (`--mount type=tmpfs,tmpfs-size=`); unset = the kernel's default. */
  SizeBytes?: number;
  /** bind only: mount propagation (`rprivate` when unset). */
  Propagation?: string;
}

export interface ContainerRecord {
  id: string;
  name: string;
  created: string;
  image: string;
  imageId: string;
  chainIds: string[];
  config: MergedConfig;
  options: ContainerCreateOptions;
  mounts: ResolvedMount[];
  logPath: string;
  /** Rootfs as mounted by the snapshotter. */
  rootfs: string;
  /** The snapshot's writable layer (what `commit` reads); absent in records from before images. */
  upperDir?: string;
  /** The init layer, then the image's layer directories, top first (GraphDriver.Data.LowerDir). */
  lowerDirs?: string[];
  state: {
    status: ContainerState;
    pid: number;
    exitCode: number;
    oomKilled: boolean;
    error: string;
    startedAt: string;
    finishedAt: string;
    health?: HealthState;
  };
  conmon?: { pid: number; startTime: string };
  network?: NetworkAttachment;
  restartCount: number;
  /** Set by stop/kill from a user: restart policies (except unless-stopped at boot) hold off. */
  manuallyStopped: boolean;
  /** Set while a restart-policy backoff is pending; survives agent restarts. */
  restartAt?: string;
}

export const zeroTime = '0001-01-01T00:00:00Z';
