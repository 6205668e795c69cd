export { unpackLayer, withImageName } from './extract-layer.js';
export type { UnpackOptions, UnpackResult } from './extract-layer.js';
export { decompressLayer, detectCompression } from './decompress.js';
export type { LayerCompression } from './decompress.js';
export { normalizeEntryName, secureJoin, UnsafePathError } from './safe-path.js';
export { parseWhiteout, OPAQUE_MARKER, WHITEOUT_PREFIX } from './whiteout.js';
export type { WhiteoutKind } from './whiteout.js';
export { getXattr, listXattrs, OPAQUE_XATTR } from './special-files.js';
