// What route handlers get: the store, the CA, leadership, and lookups by id, prefix or name.
import { FlotillaError } from '../../shared/errors/index.js';
import type { Node, Service } from '../../shared/model/index.js';
import type { ClusterCa, KekKeeper } from '../ca/index.js';
import type { ClusterEvents } from '../events/index.js';
import type { EtcdMembership } from '../etcd/index.js';
import type { DigestResolver } from '../images/index.js';
import type { LeaderElection } from '../leader.js';
import type { SecretsKeySource } from '../secrets/index.js';
import type { StoreCore } from '../store/index.js';

/** Container logs of a node's agent, read over its session (the dispatcher provides it). */
export interface NodeLogSource {
  /** @throws NODE_LOGS_UNAVAILABLE when the node's agent cannot be reached from this manager. */
  containerLogs(
    nodeId: string,
    containerId: string,
    opts: {
      tail?: number;
      follow?: boolean;
      since?: number;
      signal?: AbortSignal;
      /** Only from this manager's own sessions: never forwarded to another manager. */
      localOnly?: boolean;
    },
  ): AsyncIterable<{ stream: 'stdout' | 'stderr'; time: string; text: string }[]>;
}

export interface ApiDeps {
  /** Filled by the cluster part once the dispatcher exists (the API starts before it). */
  nodeLogs?: { source?: NodeLogSource };
  store: StoreCore;
  ca: ClusterCa;
  /** This manager's KEK: rotation and autolock (absent in tests that need neither). */
  kek?: KekKeeper;
  /** Seals new secrets (absent in tests that create none). */
  secretsKey?: SecretsKeySource;
  /** Pins service images to digests (absent: images run as written). */
  images?: DigestResolver;
  leader: LeaderElection;
  managerId: string;
  /** The cluster event stream (GET /events). */
  events?: ClusterEvents;
  /** The gRPC address agents join at (printed in join commands). */
  grpcAddr: string;
  apiAddr: string;
  /** Throws NO_QUORUM while the etcd cluster has no leader (./quorum-guard.ts). */
  quorum?: { check(): void };
  /** An etcd snapshot of the whole store, as a byte stream (`cluster backup`). */
  snapshot?: () => Promise<NodeJS.ReadableStream>;
  /** The embedded etcd's membership (absent on an external etcd): joins, manager removal. */
  etcdMembership?: EtcdMembership;
}

/** Exact id, then exact name, then a unique id prefix (as docker). */
export function findService(store: StoreCore, ref: string): Service {
  const byId = store.get('service', ref) ?? store.serviceByName(ref);
  if (byId) return byId;
  const hits = store.list('service').filter((s) => s.id.startsWith(ref));
  if (hits.length === 1) return hits[0];
  if (hits.length > 1) throw new FlotillaError('NODE_AMBIGUOUS', { kind: 'service', id: ref });
  throw new FlotillaError('SERVICE_NOT_FOUND', { id: ref });
}

/** Exact id, then hostname, then a unique id prefix. */
export function findNode(store: StoreCore, ref: string): Node {
  const exact = store.get('node', ref);
  if (exact) return exact;
  const nodes = store.list('node');
  const byName = nodes.filter((n) => n.description.hostname === ref);
  if (byName.length === 1) return byName[0];
  const hits = nodes.filter((n) => n.id.startsWith(ref));
  if (hits.length === 1) return hits[0];
  if (hits.length > 1 || byName.length > 1)
    throw new FlotillaError('NODE_AMBIGUOUS', { kind: 'node', id: ref });
  throw new FlotillaError('NODE_NOT_FOUND', { id: ref });
}
