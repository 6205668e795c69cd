export { OverlaySnapshotter } from './overlay-snapshotter.js';
export type { Snapshot, Snapshotter } from './types.js';
export type { InitLayerPaths } from './init-layer.js';
export { execErrorText, isMountPoint, mountOverlay, umount } from './mounts.js';
