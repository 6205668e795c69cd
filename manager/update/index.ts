// Rolling updates and rollbacks: the Updater reconciler (leader only) and its pure planning step.
export { Updater } from './updater.js';
export type { UpdaterDeps } from './updater.js';
export { planService, newRun } from './plan.js';
export type { UpdateRun, UpdateChange, ServicePlan } from './plan.js';
export { isDirty, isReady, isStopped, isFailure } from './dirty.js';
