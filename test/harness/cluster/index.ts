// The reconciler harness: an in-memory store, a manual clock and fixtures. Tests seed plain objects,
// run one pass of a reconciler and assert on the store or the returned plan.
export { MemoryObjectStore } from './memory-store.js';
export { ManualClock, makeNode, makeService, makeSpec, makeTask } from './fixtures.js';
export type { NodeOverrides } from './fixtures.js';
export { tasksOf, runningBySlot, waitFor } from './queries.js';
export { FakeEngine } from './fake-engine.js';
export { startSimAgent } from './sim-agent.js';
export type { SimAgent } from './sim-agent.js';
