export { diffUpper, tarDirectory } from './diff-upper.js';
export { upperChanges, changeLine } from './changes.js';
export type { Change, ChangeKind } from './changes.js';
