// Public surface of the container runtime.
export { RuncContainerEngine, type EngineDeps } from './engine.js';
export {
  DirImageSource,
  DirSnapshotter,
  firstOf,
  imageServiceSource,
  type ImageSource,
  type RuntimeImage,
} from './images/source.js';
export type * from './types.js';
