export { EmbeddedEtcd, embeddedEtcdLimits, freePort } from './embedded.js';
export type { EmbeddedEtcdOptions } from './embedded.js';
export { etcdPkiFiles } from './pki.js';
export type { EtcdClientTls, EtcdPkiFiles } from './pki.js';
export { EtcdMembership, memberName } from './membership.js';
export type { JoinedMember, MemberSummary } from './membership.js';
export { installEtcdCa } from './pki.js';
export type { EtcdCa } from './pki.js';
