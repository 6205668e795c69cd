// A machine running an agent. The agent reports the description; operators edit the spec
// (role, availability, labels); the manager's node watcher owns the status.

export interface NodeDescription {
  hostname: string;
  /** Address other nodes and managers reach this node at. */
  addr: string;
  platform: { os: string; architecture: string };
  resources: { nanoCpus: number; memoryBytes: number };
  engineVersion: string;
  engineLabels: Record<string, string>;
}

export interface NodeSpec {
  role: 'manager' | 'worker';
  availability: 'active' | 'pause' | 'drain';
  labels: Record<string, string>;
}

export interface NodeStatus {
  state: 'unknown' | 'ready' | 'down' | 'disconnected';
  message: string;
  lastHeartbeat?: string;
}

export interface Node {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  description: NodeDescription;
  spec: NodeSpec;
  status: NodeStatus;
  /** This node's container subnet, handed out by the manager from the cluster pool. */
  subnet?: string;
  /** True while the manager's leader sees this node as a manager member. */
  managerStatus?: { leader: boolean; addr: string };
}
