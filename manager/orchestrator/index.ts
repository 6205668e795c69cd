export { Orchestrator } from './orchestrator.js';
export type { OrchestratorDeps } from './orchestrator.js';
export { applyChange } from './changes.js';
export type { Change } from './changes.js';
