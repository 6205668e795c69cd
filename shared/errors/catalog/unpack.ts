// Errors of the content store, layer unpacking, layer diffs and overlay snapshots
// (agent/image/{content,unpack,layers,snapshot,diff}). Callers add the image name where they know it.
import type { CodeCatalog } from '../types.js';

export const unpackCodes = {
  CONTENT_INVALID_DIGEST: {
    kind: 'invalid_argument',
    message: 'invalid digest "{digest}": expected sha256:<64 lowercase hex>',
  },
  CONTENT_NOT_FOUND: {
    kind: 'not_found',
    message: 'blob {digest} is not in the content store',
    hint: 'pull the image again',
  },
  CONTENT_DIGEST_MISMATCH: {
    kind: 'failed_precondition',
    message: 'blob digest mismatch: expected {expected}, got {actual}',
    hint: 'the source sent corrupted or different bytes; pull again',
    retryable: true,
  },
  CONTENT_SIZE_MISMATCH: {
    kind: 'failed_precondition',
    message: 'blob {digest} size mismatch: expected {expected} bytes, got {actual}',
    hint: 'the source sent truncated or extra bytes; pull again',
    retryable: true,
  },
  CONTENT_TOO_LARGE: {
    kind: 'invalid_argument',
    message: 'blob {digest} is {sizeBytes} bytes, more than the {limitBytes} bytes allowed here',
  },
  LAYER_UNSAFE_ENTRY: {
    kind: 'invalid_argument',
    message: 'layer {layer}{image} contains an unsafe entry "{entry}": {reason}',
    hint: 'the image was built with a hostile or broken tool; do not run it',
  },
  LAYER_INVALID: {
    kind: 'invalid_argument',
    message: 'layer {layer}{image} cannot be unpacked: {reason}',
  },
  LAYER_DIFF_ID_MISMATCH: {
    kind: 'failed_precondition',
    message:
      'layer diff id mismatch: the image config expects {expected}, the layer unpacks to {actual}',
    hint: 'the layer blob does not match the image config; pull again or rebuild the image',
  },
  UNSUPPORTED_LAYER_MEDIA_TYPE: {
    kind: 'failed_precondition',
    message: 'cannot decompress layer {layer}: {reason}',
    hint: 'install zstd (deploy/install-deps.sh) to unpack zstd layers',
  },
  LAYER_NOT_FOUND: {
    kind: 'not_found',
    message: 'layer {chainId} is not unpacked on this node',
  },
  SNAPSHOT_NOT_FOUND: {
    kind: 'not_found',
    message: 'no snapshot for container {containerId}',
  },
  SNAPSHOT_MOUNT_FAILED: {
    kind: 'internal',
    message: 'cannot mount the root filesystem of container {containerId}: {reason}',
    hint: 'check that overlayfs is available and the data root is on ext4 or xfs',
  },
  SNAPSHOT_UNMOUNT_FAILED: {
    kind: 'conflict',
    message: 'cannot unmount the root filesystem of container {containerId}: {reason}',
    hint: 'a process still uses it; stop it (see `fuser -m {path}`) and retry',
    retryable: true,
  },
} satisfies CodeCatalog;
