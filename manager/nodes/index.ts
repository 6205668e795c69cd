export { NodeWatcher } from './node-watcher.js';
export type { HeartbeatSource, NodeWatcherDeps, WatchResult } from './node-watcher.js';
