// The cluster object kept at /flotilla/v1/cluster: identity, CA, token digests, settings.
import type { ClusterObject } from '../store/index.js';

export interface ClusterSettings extends ClusterObject {
  id: string;
  name: string;
  createdAt: string;
  ca: {
    certPem: string;
    /** PKCS#8 PEM sealed with AES-256-GCM under the managers' key-encryption key. */
    encryptedKeyPem: string;
    /** sha256 of the CA certificate DER, hex (the token's first part). */
    digest: string;
    /** While `cluster ca --rotate` runs (see rotation.ts); absent otherwise. */
    rotation?: CaRotation;
  };
  /**
   * Only digests: the secret of generation g is HMAC(token key, clusterId:role:g), never stored.
   * `expiresAt` (ISO) refuses the token after that time (JOIN_TOKEN_EXPIRED).
   */
  joinTokens: Record<'worker' | 'manager', JoinTokenState>;
  /** `cluster update --join-token-expiry`: tokens made from then on expire this long after. */
  joinTokenExpiryNs?: number;
  /**
   * The HMAC key of join-token secrets, sealed under the KEK. Absent in clusters from before
   * KEK rotation: their token key is the KEK itself (sealed here at the first rotation).
   */
  tokenKeySealed?: string;
  /** The KEK as managers receive it: sealed for each manager's seal key (docs/decisions/0012). */
  kek?: KekState;
  /**
   * The data key that seals every secret (manager/secrets), itself sealed under the KEK; made with
   * the first secret. `id` names its generation (Secret.keyId).
   */
  secretsKey?: { id: string; sealed: string };
  /** Present while autolock is on: the unlock key, sealed under the KEK. */
  autolock?: { unlockKeySealed: string };
  /** Admin certificates issued by `cluster admin add` (revoked ones are in revokedNodeIds). */
  admins?: AdminRecord[];
  addressPool: AddressPoolSettings;
  heartbeatPeriodNs: number;
  nodeDownGraceNs: number;
  taskHistoryLimit: number;
  /** Lifetime of the node and manager certificates issued from now on (`--cert-expiry`). */
  certExpiryNs?: number;
  /** Node, manager and admin ids removed from the cluster: their certificates are refused everywhere. */
  revokedNodeIds: string[];
}

export interface JoinTokenState {
  digest: string;
  generation: number;
  expiresAt?: string;
}

export interface KekState {
  /** Changes at every rotation; a manager whose KEK has another id opens its sealed entry again. */
  id: string;
  rotatedAt: string;
  /** managerId → the manager's seal public key and the KEK sealed for it (seal.ts). */
  sealed: Record<string, { publicKeyPem: string; sealed: string }>;
}

export interface AdminRecord {
  /** The certificate's CN: unique, never reused. */
  id: string;
  name: string;
  createdAt: string;
}

/**
 * A root rotation in progress: `ca.certPem` is already the new root (it signs everything issued
 * now); the old root stays trusted until every node and manager holds a certificate of the new one.
 */
export interface CaRotation {
  /** The root being replaced; still in the trust bundle. */
  previousCertPem: string;
  /** The new root's certificate signed by the old root's key: sent after every new leaf. */
  crossSignedPem: string;
  startedAt: string;
  /** Managers that serve with a certificate of the new root. */
  renewedManagerIds: string[];
}

/**
 * Where node subnets come from (Docker swarm init's --default-addr-pool, repeatable, and
 * --default-addr-pool-mask-length): the pools in order, none overlapping, each cut into subnets of
 * one prefix length; a pool is used once every pool before it is full.
 */
export interface AddressPoolSettings {
  cidrs: string[];
  subnetPrefixLength: number;
}

/** How clusters initialised before several pools stored the one pool. */
interface SinglePool {
  cidr: string;
  subnetPrefixLength: number;
}

/**
 * The cluster object as managers use it, from the stored document. A cluster initialised before
 * several pools stored `addressPool: { cidr, subnetPrefixLength }`: read as that one pool. The
 * document is not rewritten (writes of other fields keep the old shape, which stays readable).
 */
export function readClusterSettings(stored: ClusterObject): ClusterSettings {
  const c = stored as ClusterSettings;
  const pool = c.addressPool as AddressPoolSettings | SinglePool | undefined;
  if (!pool || !('cidr' in pool)) return c;
  return { ...c, addressPool: { cidrs: [pool.cidr], subnetPrefixLength: pool.subnetPrefixLength } };
}

export const clusterDefaults = {
  addressPool: { cidrs: ['10.240.0.0/16'], subnetPrefixLength: 24 } as AddressPoolSettings,
  // A machine that stops answering is down after 3 s (3 missed heartbeats), so its tasks run
  // elsewhere within about 5 s (Swarm: about 15 s). A new leader waits 10 s instead (NodeWatcher
  // takeoverGraceMs): agents may be reconnecting after the same failover.
  heartbeatPeriodNs: 1e9,
  nodeDownGraceNs: 3e9,
  taskHistoryLimit: 5,
  certExpiryNs: 90 * 24 * 3600e9,
};

/** Docker's floor for `--cert-expiry`. */
export const minCertExpiryNs = 3600e9;
