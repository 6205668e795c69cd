export { ManagerApiServer, splitHostPort } from './server.js';
export type { ManagerApiServerDeps } from './server.js';
export type { ApiDeps } from './context.js';
