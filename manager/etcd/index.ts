export { EmbeddedEtcd, embeddedEtcdLimits, freePort } from './embedded.js';
export type { EmbeddedEtcdOptions } from './embedded.js';
export { etcdPkiFiles } from './pki.js';
export type { EtcdClientTls, EtcdPkiFiles } from './pki.js';
export { EtcdMembership, memberName } from './membership.js';
export type { JoinedMember, MemberSummary } from './membership.js';
export { installEtcdCa } from './pki.js';
export type { EtcdCa } from './pki.js';
export { restoreEtcdSnapshot } from './restore.js';
export type { RestoreOptions } from './restore.js';
export { MemberChoice } from './member-choice.js';
export type { MemberChoiceOptions } from './member-choice.js';
export { embeddedKeepaliveMinTime, etcdKeepalive, storeClient } from './store-client.js';
export type { StoreClient, StoreClientOptions } from './store-client.js';
export { etcdMaintenanceTarget, StoreMaintenance } from './maintenance.js';
export type {
  MaintenanceRound,
  MaintenanceTarget,
  StoreMaintenanceOptions,
} from './maintenance.js';
