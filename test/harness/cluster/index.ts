// The reconciler harness: a manual clock and fixtures. Tests seed plain objects into manager/store's
// InMemoryObjectStore (the one fake store, checked by the store contract suite), run one pass of a
// reconciler and assert on the store or the returned plan.
export { ManualClock, makeNode, makeService, makeSpec, makeTask } from './fixtures.js';
export type { NodeOverrides } from './fixtures.js';
export { tasksOf, runningBySlot, waitFor } from './queries.js';
export { FakeEngine } from './fake-engine.js';
export { startSimAgent } from './sim-agent.js';
export type { SimAgent } from './sim-agent.js';
export { OverlayObserver } from './overlay-observer.js';
