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
  /** The node certificate as the agent reports it (Docker's TLSInfo); absent from old agents. */
  tlsInfo?: NodeTlsInfo;
}

export interface NodeTlsInfo {
  /** RFC 3339: when the node certificate expires (it is renewed well before). */
  certNotAfter: string;
  /** sha256 of the public key of the CA key that signed the node certificate, hex. */
  issuerKeyDigest: string;
  /** sha256 of each root certificate the node trusts, hex. */
  trustDigests: string[];
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
  /** Manager nodes only, filled by the API on every read (never stored): see ManagerStatus. */
  managerStatus?: ManagerStatus;
}

/**
 * Docker's ManagerStatus of a manager node: `reachable` while a live manager runs on the node
 * (its id or its advertised address), `leader` while that manager holds the election.
 */
export interface ManagerStatus {
  leader: boolean;
  reachability: 'reachable' | 'unreachable';
  /** The manager's gRPC address, or the node's address when no manager runs there. */
  addr: string;
}
