// Public surface of agent/network: the component (whose role objects serve the runtime, executor,
// session and local API), the contract each of them is typed by, and the -p/-P parsers.
export { NetworkComponent } from './component.js';
export type { NetworkOptions } from './core.js';
export { parsePublish, publishAllPorts, formatBinding } from './ports/publish.js';
export { ephemeralRange } from './ports/allocator.js';
export { defaultNodeSubnet } from './defaults.js';
export { removeNetworkLeftovers } from './cleanup.js';
export { ServiceDiscovery, type ServiceDiscoveryDeps } from './service-discovery.js';
export { MemoryOverlayState } from './discovery/index.js';
export type {
  NetworkAttacher,
  NetworkProvisioner,
  NodeNetwork,
  LocalNetworkApi,
  NetworkAttachment,
  NetworkRequest,
  PortBinding,
  NetworkInfo,
  NetworkCreateOptions,
  PeerRoute,
} from './types.js';
export type {
  OverlayStateReader,
  OverlayStateChange,
  OverlayNetworkInfo,
  OverlayEndpointInfo,
  OverlayServiceInfo,
  OverlayKeyInfo,
  OverlayChangeInfo,
  LocalOverlayEndpoint,
} from './overlay/state.js';
