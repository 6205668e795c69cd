// Public surface of agent/network: the manager (a NetworkAttacher), the -p/-P parsers for the CLI
// and the runtime, and the contract types.
export { NetworkManager } from './manager.js';
export type { NetworkManagerOptions } from './manager.js';
export { parsePublish, publishAllPorts, formatBinding } from './ports/publish.js';
export { ephemeralRange } from './ports/allocator.js';
export { defaultNodeSubnet } from './defaults.js';
export type {
  NetworkAttacher,
  NetworkAttachment,
  NetworkRequest,
  PortBinding,
  NetworkInfo,
  NetworkCreateOptions,
  PeerRoute,
} from './types.js';
