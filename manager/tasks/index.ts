// Helpers every reconciler that creates tasks shares (orchestrator, updater): a new task from a
// service's current spec, and the key a task's lineage is kept under.
export { newTask, newTaskId, slotKey } from './task-factory.js';
export { commitParallel } from './commit.js';
export type { ParallelCommitOptions } from './commit.js';
export { concernsOrchestrator, concernsScheduler } from './events.js';
