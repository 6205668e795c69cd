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
  addressPool: { cidr: string; subnetPrefixLength: number };
  heartbeatPeriodNs: number;
  nodeDownGraceNs: number;
  taskHistoryLimit: number;
  /** Node ids removed from the cluster: their certificates are refused everywhere. */
  revokedNodeIds: string[];
}

export const clusterDefaults = {
  addressPool: { cidr: '10.240.0.0/16', subnetPrefixLength: 24 },
  heartbeatPeriodNs: 5e9,
  nodeDownGraceNs: 10e9,
  taskHistoryLimit: 5,
};
