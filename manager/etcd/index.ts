export { EmbeddedEtcd, freePort } from './embedded.js';
export type { EmbeddedEtcdOptions } from './embedded.js';
