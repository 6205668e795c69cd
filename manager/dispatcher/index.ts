export { Dispatcher } from './dispatcher.js';
export type { DispatcherDeps } from './dispatcher.js';
export { grpcStatusByKind } from './grpc-status.js';
export {
  chooseSubnet,
  cidrsOverlap,
  defaultAddressPool,
  formatCidr,
  parseCidr,
} from './subnets.js';
export type { AddressPool } from './subnets.js';
export type { ContainerLogLine, ContainerLogOptions } from './log-requests.js';
export { HeartbeatExchange, heartbeatsPrefix } from './heartbeat-exchange.js';
export type { HeartbeatExchangeDeps } from './heartbeat-exchange.js';
