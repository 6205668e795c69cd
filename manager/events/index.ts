// Cluster events (service, node, task changes) in Docker's shape, from the store's watch.
export { ClusterEvents } from './cluster-events.js';
export type { ClusterEventsDeps } from './cluster-events.js';
export { clusterEventOf } from './cluster-event.js';
export type { ClusterEvent } from './cluster-event.js';
