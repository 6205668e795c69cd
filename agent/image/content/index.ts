export { FsContentStore } from './fs-content-store.js';
export { digestHex, isValidDigest } from './digest.js';
export type { BlobInfo, ContentStore, ExpectedBlob, IngestHandle } from './content-store.js';
