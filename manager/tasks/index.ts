// Helpers every reconciler that creates tasks shares (orchestrator, updater): a new task from a
// service's current spec, the key a task's lineage is kept under, and the contract by which the
// scheduler places tasks before they are created.
export { newTask, newTaskId, slotKey } from './task-factory.js';
export { commitParallel } from './commit.js';
export type { ParallelCommitOptions } from './commit.js';
export { concernsOrchestrator, concernsScheduler, concernsUpdater } from './events.js';
export { assign, assignedMessage, attachNetworks, withPlacement } from './placement.js';
export type { NewTaskPlacement, Placement } from './placement.js';
