// The registry client (distribution API) and the contract types its users code against.
export { HttpRegistryClient, maxManifestBytes } from './client.js';
export type { HttpRegistryClientDeps } from './client.js';
export { mediaTypes, manifestAccept, isIndexType, isManifestType } from './media-types.js';
export {
  hostPlatform,
  normalizePlatform,
  formatPlatform,
  parsePlatform,
  selectPlatform,
} from './platform.js';
export { defaultRetryPolicy } from './retry.js';
export type { RetryPolicy } from './retry.js';
export { isLoopback } from './endpoint.js';
export type {
  ImageReference,
  Platform,
  Descriptor,
  ResolvedImage,
  Credentials,
  BlobProgress,
  BlobSource,
  RegistryClient,
} from './types.js';
