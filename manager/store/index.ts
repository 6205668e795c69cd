// The manager's object store: the contract (types.ts), the etcd implementation, the in-memory fake
// for unit tests, ids and the validation of stored documents (test fixtures: ./fixtures.ts).
export type {
  ClaimSpace,
  ClusterObject,
  ObjectKind,
  ObjectOf,
  ObjectStore,
  StoreEvent,
  StoreTx,
} from './types.js';
export { StoreCore } from './core.js';
export { defaultTxnLimits } from './limits.js';
export type { StoreStats, TxnLimits } from './limits.js';
export { cloneJson } from './clone.js';
export { EtcdObjectStore } from './etcd.js';
export { etcdFailure, isEtcdError } from './etcd-failure.js';
export type { EtcdObjectStoreDeps } from './etcd.js';
export { InMemoryObjectStore } from './memory.js';
export { newId } from './ids.js';
export { claimKey, claimsPrefix, clusterKey, electionKey, objectKey, rootPrefix } from './keys.js';
export { claimsOf, hostPortClaim, ingressPortClaim, overlayAddrClaim } from './claims.js';
export type { Claim } from './claims.js';
export { validateObject, checkServiceSpec } from './validate/index.js';
