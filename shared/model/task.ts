// One scheduled instance of a service: a slot (replicated) or a node (global), the spec it was made
// from, where it runs, and what its agent last reported.
import type { ContainerSpec, PortConfig, TaskTemplate } from './service.js';
import type { TaskNetworkAttachment } from './network.js';
import type { DesiredState, TaskState } from './task-state.js';

export interface TaskStatus {
  state: TaskState;
  /** RFC 3339 time of the last state change. */
  timestamp: string;
  message: string;
  err?: string;
  containerId?: string;
  exitCode?: number;
  health?: 'starting' | 'healthy' | 'unhealthy';
  ports?: PortConfig[];
  /** The container's address on its network, reported by the agent; the routing mesh sends to it. */
  address?: string;
}

export interface Task {
  id: string;
  serviceId: string;
  /** Replicated services: 1..N. Global services: 0 (the node identifies the task). */
  slot: number;
  nodeId?: string;
  /** The service version whose spec this task runs. */
  serviceVersion: number;
  spec: TaskTemplate;
  /** Ports the task publishes in host mode, and the service's ingress ports. */
  endpointPorts: PortConfig[];
  desiredState: DesiredState;
  status: TaskStatus;
  createdAt: string;
  /** Why the scheduler could not place it, shown by `service ps`. */
  pendingReason?: string;
  /** Image pinned to a digest once resolved, so every replica runs the same bytes. */
  resolvedImage?: string;
  /**
   * `<serviceId>.<registryAuth id>` when the service pulls with registry credentials: the agent is
   * sent them over its session (kind registry-auth) with the secrets, and pulls with them.
   */
  pullAuthId?: string;
  /** Its interfaces on cluster (overlay) networks, addresses fixed by the manager at placement. */
  networks?: TaskNetworkAttachment[];
}

export type { ContainerSpec };
