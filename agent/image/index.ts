// The image component's public surface: the ImageService facade and how main.ts builds it.
export { ImageService } from './service.js';
export type { ImageSummary, RemoveResult, ImageServiceDeps } from './service.js';
export { buildImageService } from './wiring.js';
export type { ImageWiring } from './wiring.js';
export type { Credentials, Platform } from './registry/index.js';
export { formatPlatform, parsePlatform } from './registry/index.js';
export type {
  ResolvedLocalImage,
  ImageConfig,
  ProgressEvent,
  PullOptions,
} from './service-types.js';
export { decompressLayer } from './unpack/index.js';
export { familiarName } from './names.js';
