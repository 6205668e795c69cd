export { OverlaySnapshotter } from './overlay-snapshotter.js';
export type { Snapshot, Snapshotter } from './types.js';
