export { EmbeddedEtcd, embeddedEtcdLimits, freePort } from './embedded.js';
export type { EmbeddedEtcdOptions } from './embedded.js';
export { etcdPkiFiles } from './pki.js';
export type { EtcdClientTls, EtcdPkiFiles } from './pki.js';
