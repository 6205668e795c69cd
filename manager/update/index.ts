export { Updater, nextToReplace } from './updater.js';
export type { UpdaterDeps } from './updater.js';
