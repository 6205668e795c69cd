export { Executor } from './executor.js';
export type { ExecutorDeps, AssignmentUpdate } from './executor.js';
export { Reporter } from './reporter.js';
export type { StatusBatchSink } from './reporter.js';
export { defaultHooks } from './hooks/index.js';
export { taskLabels } from './labels.js';
export type {
  ImagePuller,
  NetworkProvisioner,
  TaskHook,
  HookContext,
  StatusSink,
  TaskFileProvisioner,
} from './types.js';
