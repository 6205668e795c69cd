// Public surface of agent/cleanup: `flotilla agent cleanup`.
export { cleanupAgent } from './cleanup.js';
export type { CleanupTarget } from './cleanup.js';
export { runAgentCleanup } from './cleanup.js';
