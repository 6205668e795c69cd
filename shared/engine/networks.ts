// The networks part of the agent's local engine API: published ports and the networks `network ls`
// and `network inspect` show. agent/network implements them; the CLI only sends and shows them.

export interface PortBinding {
  /** Host address to bind; '' or '0.0.0.0' = every address. */
  hostIp: string;
  /** 0 = pick a free port from the ephemeral range. */
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

/** A network as the API and CLI show it (`network ls`, `network inspect`). */
export interface NetworkInfo {
  id: string;
  name: string;
  /** 'bridge' for the default and user-defined networks, 'host' and 'null' for the others. */
  driver: 'bridge' | 'host' | 'null';
  scope: 'local';
  /** Pre-defined (bridge, host, none): cannot be removed. */
  builtin: boolean;
  subnet?: string;
  gateway?: string;
  /** Linux bridge carrying the network. */
  bridge?: string;
  createdAt: string;
  labels: Record<string, string>;
  /** Docker's `--attachable`, as asked at create (every local network takes standalone containers). */
  attachable?: boolean;
  /** Containers attached, keyed by container id (inspect only). */
  containers?: Record<string, { name: string; ipv4: string; aliases: string[] }>;
}

export interface NetworkCreateOptions {
  name: string;
  /** Picked from the user pool when omitted. */
  subnet?: string;
  labels?: Record<string, string>;
  /** Docker's `--attachable`: recorded and shown; local networks take any container. */
  attachable?: boolean;
}
