export {
  FlotillaError,
  isFlotillaError,
  toFlotillaError,
  renderTemplate,
} from './flotilla-error.js';
export type { ErrorBody, ErrorParams, FlotillaErrorOptions } from './flotilla-error.js';
export { codes } from './codes.js';
export type { ErrorCode } from './codes.js';
export { httpStatusByKind, errorKinds } from './kinds.js';
export type { ErrorKind } from './kinds.js';
export type { CodeEntry, CodeCatalog } from './types.js';
