// Copying files in and out of a view (a container's filesystem, or the local one) as tar streams:
// the one implementation behind the agent's archive routes and `flotilla cp`.
export {
  hostPath,
  pin,
  pinEntry,
  readFileIn,
  readlinkIn,
  removeIn,
  localView,
  lstatIn,
  resolveIn,
  resolveRequested,
  requestedBase,
} from './fs-view.js';
export type { FsView, PinnedPath, RootHandles, ViewMount } from './fs-view.js';
export {
  decodePathStat,
  encodePathStat,
  goFileMode,
  isGoDir,
  isGoSymlink,
  pathStat,
} from './path-stat.js';
export type { PathStat } from './path-stat.js';
export { packPath } from './pack.js';
export type { PackOptions } from './pack.js';
export { checkWritable, extractTar } from './extract.js';
export type { ExtractOptions } from './extract.js';
export { prepareArchiveCopy, rebaseArchive, rebaseFor, splitPathDirEntry } from './copy-plan.js';
export type { CopyInfo } from './copy-plan.js';
