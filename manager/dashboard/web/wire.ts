// The feed's documents as the page receives them: the one definition, which the manager's
// views.ts and feed.ts import (the page is compiled apart and cannot import from them).
export interface NodeView {
  id: string;
  hostname: string;
  addr: string;
  role: 'manager' | 'worker';
  availability: 'active' | 'pause' | 'drain';
  state: string;
  message: string;
  nanoCpus: number;
  memoryBytes: number;
  platform: string;
}

export interface ServiceView {
  id: string;
  name: string;
  version: number;
  mode: 'replicated' | 'global';
  replicas?: number;
  image: string;
  ports: { published?: number; target: number; protocol: string; mode: string }[];
  update?: { state: string; message: string; serviceVersion?: number };
  canRollback: boolean;
}

export interface TaskView {
  id: string;
  serviceId: string;
  nodeId?: string;
  slot: number;
  serviceVersion: number;
  state: string;
  desiredState: string;
  message?: string;
}

export interface FeedSnapshot {
  nodes: NodeView[];
  services: ServiceView[];
  tasks: TaskView[];
}

export interface FeedDelta {
  nodes: Record<string, NodeView | null>;
  services: Record<string, ServiceView | null>;
  tasks: Record<string, TaskView | null>;
}
