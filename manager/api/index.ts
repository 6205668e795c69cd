export { ManagerApiServer } from './server.js';
export { serveUntilUnlocked } from './locked-server.js';
export type { ManagerApiServerDeps } from './server.js';
export type { ApiDeps, NodeLogSource } from './context.js';
export { ForwardedLogs } from './forwarded-logs.js';
export { apiLimits, defaultApiLimits } from './limits.js';
export type { ApiLimits } from './limits.js';
export { QuorumGuard } from './quorum-guard.js';
