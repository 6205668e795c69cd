export { registerServiceCommands } from './commands.js';
export { specFromFlags, parsePort, parseMount } from './spec-from-flags.js';
export type { ServiceCreateFlags } from './spec-from-flags.js';
