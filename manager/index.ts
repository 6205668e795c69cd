// The manager's public surface: run the process; the contracts other manager parts build on.
export { runManager } from './main.js';
export type { ManagerHooks, RunningManager } from './main.js';
export { managerConfig } from './config.js';
export type { ManagerSettings, ManagerConfig, ManagerFlagSettings } from './config.js';
export type { ManagerComponents, ManagerPart, Startable } from './components.js';
export type { LeaderElection, LeaderInfo } from './leader.js';
// For the CLI's `cluster admin add`: the admin's key is made on the admin's machine.
export { createCsr, generateKeyPair } from './ca/index.js';
// For `cluster restore`: a snapshot into a stopped manager's embedded etcd data.
export { restoreEtcdSnapshot } from './etcd/index.js';
