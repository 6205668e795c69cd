// The cluster CA: root certificate, node/manager/admin certificates, join tokens, revocation.
export { ClusterCa, fromSubject } from './cluster-ca.js';
export type { Identity, KekSource, NodeRole, TlsCredentials } from './cluster-ca.js';
export {
  issueAdminCertificate,
  issueAdminKeyAndCertificate,
  listAdmins,
  revokeAdmin,
} from './cluster-admins.js';
export { KekKeeper, openOwnKek } from './kek-keeper.js';
export { SealKeyFile } from './seal-key-file.js';
export { isUnlockKey, newSealKey, openSealed, sealFor } from './seal.js';
export type { SealKey } from './seal.js';
export { clusterDefaults, readClusterSettings } from './cluster.js';
export type { AddressPoolSettings, AdminRecord, ClusterSettings } from './cluster.js';
export {
  decrypt,
  encrypt,
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
export { ManagerCertificate } from './renewal.js';
export type { ManagerCertificateDeps } from './renewal.js';
export { RotationCompleter } from './rotation-completer.js';
export { rotationProgress, rotationComplete } from './rotation.js';
export type { RotationProgress } from './rotation.js';
export { minCertExpiryNs } from './cluster.js';
export type { CaRotation } from './cluster.js';
