export { ContextStore } from './store.js';
export type { ClusterContext } from './store.js';
