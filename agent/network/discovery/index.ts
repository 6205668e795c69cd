// Public surface of service discovery's input: the view it reads (adapted from the data plane's
// OverlayStateReader), an in-memory reader fed from the session's messages, and the name indexes.
export type {
  OverlayView,
  OverlayViewChange,
  OverlayNetworkView,
  OverlayEndpointView,
  OverlayServiceView,
  LocalOverlayContainer,
} from './view.js';
export { ReaderOverlayView } from './reader-view.js';
export { MemoryOverlayState } from './memory-state.js';
export type {
  MemoryContainer,
  OverlayEndpointMessage,
  OverlayServiceMessage,
  OverlayNetworkMessage,
  OverlayNetworkChangeMessage,
} from './memory-state.js';
export { DiscoveryTable, byAddress, lower, type NetworkNames } from './table.js';
