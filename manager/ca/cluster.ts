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
  };
  /** Only digests: the secret of generation g is HMAC(kek, clusterId:role:g), never stored. */
  joinTokens: Record<'worker' | 'manager', { digest: string; generation: number }>;
  addressPool: AddressPoolSettings;
  heartbeatPeriodNs: number;
  nodeDownGraceNs: number;
  taskHistoryLimit: number;
  /** Node ids removed from the cluster: their certificates are refused everywhere. */
  revokedNodeIds: string[];
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
  heartbeatPeriodNs: 5e9,
  nodeDownGraceNs: 10e9,
  taskHistoryLimit: 5,
};
