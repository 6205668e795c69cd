// The Dockerfile builder's surface for the local API: the build service, the runner of RUN steps,
// and the state a build carries from step to step.
export { BuildService } from './service.js';
export type { BuildRequest, BuildServiceDeps, ContainerFs } from './service.js';
export { ContainerStepRunner } from './run-step.js';
export type { StepRunner, StepRunOptions, TempImages } from './run-step.js';
export type { BuildState, RunConfig } from './state.js';
export { applyConfigChanges, configChanges } from './changes.js';
