// Image references (shared by the agent's image pipeline and the CLI): parsing and normalising like
// Docker, and rendering them back.
export { parseReference, splitRepoTag } from './parse.js';
export { formatReference, familiarName, repositoryName, manifestReference } from './format.js';
export { isValidDigest, digestProblem } from './grammar.js';
export type { ImageReference } from './types.js';
