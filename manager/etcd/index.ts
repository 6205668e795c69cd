export { EmbeddedEtcd, embeddedEtcdLimits, freePort } from './embedded.js';
export type { EmbeddedEtcdOptions } from './embedded.js';
