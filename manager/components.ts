// What every manager part is built from. Built once in main.ts; see docs/design/manager.md.
import type { Logger } from '../shared/log/index.js';
import type { ClusterCa, ManagerCertificate, TlsCredentials } from './ca/index.js';
import type { Etcd3 } from 'etcd3';
import type { NodeLogSource } from './api/index.js';
import type { ManagerConfig } from './config.js';
import type { LeaderElection } from './leader.js';
import type { ManagerMetrics } from './metrics/index.js';
import type { SecretsKeySource } from './secrets/index.js';
import type { EtcdObjectStore } from './store/index.js';

export interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ManagerComponents {
  config: ManagerConfig;
  log: Logger;
  /** Started: its cache is filled and follows etcd. */
  store: EtcdObjectStore;
  /** Started: signs CSRs, verifies tokens, knows revoked node ids. */
  ca: ClusterCa;
  leader: LeaderElection;
  /** This manager's server identity (cert with SANs for its addresses), for the gRPC server. */
  tls: TlsCredentials;
  /** Renews `tls` in place and tells the servers; absent in tests that build parts by hand. */
  certificate?: ManagerCertificate;
  /** This manager's id (CN of its certificate). */
  managerId: string;
  clock: { now(): Date };
  /** The etcd client the store uses (for small leased records beside the object store). */
  etcd?: Etcd3;
  /** Prometheus metrics, when --metrics-addr is set. */
  metrics?: ManagerMetrics;
  /** Opens secrets for delivery to agents; absent in tests that build parts by hand. */
  secretsKey?: SecretsKeySource;
  /** Where the API finds node logs; the cluster part sets `source`. */
  nodeLogs?: { source?: NodeLogSource };
}

/**
 * A component of the manager: `always` parts run on every manager (the dispatcher's gRPC server),
 * `leader` parts only while this manager leads (orchestrator, scheduler, updater, node watcher).
 */
export type ManagerPart = (c: ManagerComponents) => { always?: Startable[]; leader?: Startable[] };
