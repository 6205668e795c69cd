export { Dispatcher } from './dispatcher.js';
export type { DispatcherDeps } from './dispatcher.js';
export { grpcStatusByKind } from './grpc-status.js';
