export { diffUpper, tarDirectory } from './diff-upper.js';
