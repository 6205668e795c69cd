// Public surface of service discovery's input: the overlay view (the data plane's, read-only), an
// in-memory implementation fed from the session's messages, and the name indexes over it.
export type {
  OverlayView,
  OverlayViewChange,
  OverlayNetworkView,
  OverlayEndpointView,
  OverlayServiceView,
  LocalOverlayContainer,
} from './view.js';
export { MemoryOverlayView } from './memory-view.js';
export type {
  OverlayEndpointMessage,
  OverlayServiceMessage,
  OverlayNetworkMessage,
  OverlayNetworkChangeMessage,
} from './memory-view.js';
export { DiscoveryTable, byAddress, lower, type NetworkNames } from './table.js';
