// Image references, for the image pipeline: the parser lives in shared/reference (the CLI names
// images too); this is the image folder's door to it.
export {
  parseReference,
  splitRepoTag,
  formatReference,
  familiarName,
  repositoryName,
  manifestReference,
  isValidDigest,
  digestProblem,
} from '../../../shared/reference/index.js';
export type { ImageReference } from '../../../shared/reference/index.js';
