export { ContextStore, checkContextName } from './store.js';
export type { ClusterContext, ContextPem } from './store.js';
export { makeBundle, readBundle, writeBundle } from './bundle.js';
export type { ContextBundle } from './bundle.js';
