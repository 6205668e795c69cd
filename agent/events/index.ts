// The agent's event stream in Docker's shape, and the wrappers that feed it image and network events.
export { EngineEventLog } from './event-log.js';
export type { EventLogDeps } from './event-log.js';
export { withImageEvents } from './image-events.js';
export { withNetworkEvents } from './network-events.js';
