// The cluster CA: root certificate, node/manager/admin certificates, join tokens, revocation.
export { ClusterCa, fromSubject } from './cluster-ca.js';
export type { Identity, NodeRole, TlsCredentials } from './cluster-ca.js';
export { clusterDefaults, readClusterSettings } from './cluster.js';
export type { AddressPoolSettings, ClusterSettings } from './cluster.js';
export {
  newKeyEncryptionKey,
  readKeyEncryptionKey,
  writeKeyEncryptionKey,
} from './key-encryption.js';
export {
  certificateDigest,
  createCsr,
  createRootCertificate,
  generateKeyPair,
  importPrivateKey,
  signLeaf,
} from './pki.js';
export { parseToken } from './tokens.js';
