// The contract of the manager's object store: typed objects in etcd with optimistic concurrency, a
// watch-fed cache the reconcilers read, and events they react to. Owned by manager/store.
import type {
  Config,
  ContainerAttachment,
  Network,
  Node,
  Secret,
  Service,
  Task,
} from '../../shared/model/index.js';

export interface ClusterObject {
  id: string;
  /** Cluster name, CA certificate (PEM), encrypted CA key, join token digests, address pool. */
  [key: string]: unknown;
}

export type ObjectKind =
  'node' | 'service' | 'task' | 'network' | 'secret' | 'config' | 'attachment';
/**
 * Namespaces of claim keys (manager/store/claims.ts): unique service names, node subnets, ingress
 * ports, and host-mode ports (shared: one key per service, so that an ingress claim can see them);
 * cluster network names, their subnets and VNIs, and addresses in them (`<networkId>/<ip>`, held
 * by a task, a service's VIP or a standalone container's attachment).
 */
export type ClaimSpace =
  | 'services'
  | 'subnets'
  | 'ingress-ports'
  | 'host-ports'
  | 'networks'
  | 'overlay-subnets'
  | 'vnis'
  | 'overlay-addrs'
  | 'secrets'
  | 'configs';
export type ObjectOf<K extends ObjectKind> = K extends 'node'
  ? Node
  : K extends 'service'
    ? Service
    : K extends 'network'
      ? Network
      : K extends 'secret'
        ? Secret
        : K extends 'config'
          ? Config
          : K extends 'attachment'
            ? ContainerAttachment
            : Task;

/**
 * A change of the cache. `previous` is the object as the cache held it before a put (undefined
 * for a create); documents are frozen, so it is shared, never copied.
 */
export type StoreEvent =
  | { kind: 'node'; type: 'put' | 'delete'; object: Node; previous?: Node; revision: number }
  | {
      kind: 'service';
      type: 'put' | 'delete';
      object: Service;
      previous?: Service;
      revision: number;
    }
  | { kind: 'task'; type: 'put' | 'delete'; object: Task; previous?: Task; revision: number }
  | {
      kind: 'network';
      type: 'put' | 'delete';
      object: Network;
      previous?: Network;
      revision: number;
    }
  | {
      kind: 'secret';
      type: 'put' | 'delete';
      object: Secret;
      previous?: Secret;
      revision: number;
    }
  | {
      kind: 'config';
      type: 'put' | 'delete';
      object: Config;
      previous?: Config;
      revision: number;
    }
  | {
      kind: 'attachment';
      type: 'put' | 'delete';
      object: ContainerAttachment;
      previous?: ContainerAttachment;
      revision: number;
    };

/** A read-write view inside one transaction; writes compare each object's mod_revision. */
export interface StoreTx {
  /**
   * Which run of the transaction function this is (1 = first; more after conflicts). A function
   * that picks a free name (subnet, ingress port) can pick less predictably on a retry, so that
   * writers racing for "the first free one" stop colliding.
   */
  readonly attempt: number;
  get<K extends ObjectKind>(kind: K, id: string): ObjectOf<K> | undefined;
  create<K extends ObjectKind>(kind: K, object: ObjectOf<K>): void;
  update<K extends ObjectKind>(kind: K, object: ObjectOf<K>): void;
  delete(kind: ObjectKind, id: string): void;
  /**
   * Who holds a claim as this transaction sees it (its own writes included); the claim key is
   * compared at commit, so a claim taken meanwhile by another manager makes the commit retry.
   * Claims themselves are taken and released by create/update/delete (claims.ts says which).
   */
  claimOwner(space: ClaimSpace, name: string): string | undefined;
}

export interface ObjectStore {
  /** Cached reads: current as of the last event delivered. */
  list<K extends ObjectKind>(kind: K): ObjectOf<K>[];
  get<K extends ObjectKind>(kind: K, id: string): ObjectOf<K> | undefined;
  serviceByName(name: string): Service | undefined;
  /** Cached claims of a space: name → owner id (objects written before claims existed hold none). */
  claims(space: ClaimSpace): ReadonlyMap<string, string>;
  /**
   * Runs `fn` against fresh state and commits its writes atomically; retried on conflict (at most a
   * few times, then STORE_CONFLICT). Claims (service names, node subnets, ingress and host-mode
   * ports) are taken and released in the same transaction as the objects that hold them.
   */
  update<T>(fn: (tx: StoreTx) => T | Promise<T>): Promise<T>;
  /** Writes per transaction `batch` uses by default (bounded by what etcd accepts). */
  readonly batchOpsPerTx?: number;
  /** Commits many independent writes in bounded transactions (scheduler placement, task creation). */
  batch(fn: (tx: StoreTx) => void | Promise<void>, opts?: { maxOpsPerTx?: number }): Promise<void>;
  /** Events after the cache applied them; returns an unsubscribe function. */
  subscribe(listener: (e: StoreEvent) => void): () => void;
  getCluster(): Promise<ClusterObject | undefined>;
  putCluster(c: ClusterObject): Promise<void>;
}
