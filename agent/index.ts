export { runAgent } from './main.js';
export { agentConfig } from './config.js';
export type { AgentConfig, AgentFlagSettings, AgentSettings } from './config.js';
export { runAgentCleanup } from './cleanup/index.js';
