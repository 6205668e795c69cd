export { SessionClient, fromGrpcError } from './client.js';
export type { SessionClientDeps, SessionState } from './client.js';
export { joinCluster, parseJoinToken, apiBaseUrl } from './join.js';
export { loadIdentity, saveIdentity, saveManagers, identityDir } from './identity.js';
export type { NodeIdentity } from './identity.js';
export { describeNode, engineVersion } from './description.js';
export { certificateDigest, certificateCommonName, newKeyAndCsr } from './pki.js';
export { startClusterAgent } from './cluster-agent.js';
export type { ClusterAgentOptions } from './cluster-agent.js';
