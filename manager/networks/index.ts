// Cluster (overlay) networks on the manager: creating them (pool.ts, create.ts), attaching services
// and tasks (attach.ts), standalone containers (standalone.ts), their keys (keys.ts, key-rotation.ts), and what nodes hold of them
// (overlay-state.ts). The API, the scheduler and the dispatcher use this; it uses only the store.
export { allocateNetwork, overlayPool, reservedPools, firstVni } from './pool.js';
export { createNetwork, networkSpecOf, type NetworkCreateRequest } from './create.js';
export {
  assignVips,
  attachTask,
  clusterNetworkIds,
  findNetwork,
  nodeLocalNetworks,
  resolveNetworks,
} from './attach.js';
export {
  needsRotation,
  openKeys,
  rotatedKeys,
  withoutKeys,
  type SealedKey,
  type StoredNetwork,
} from './keys.js';
export { isServing, overlayView, taskName, type OverlayView } from './overlay-state.js';
export { liveNetworks, usersOf, reservedFor } from './usage.js';
export {
  attachContainer,
  attachedContainers,
  detachContainer,
  type AttachRequest,
  type Attached,
} from './standalone.js';
export { KeyRotation } from './key-rotation.js';
export { hasLiveTasks, NetworkReaper } from './reaper.js';
