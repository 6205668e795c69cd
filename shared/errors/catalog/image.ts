// Errors of the image service: the local image store, pull/push orchestration, save/load/import.
// Registry transport errors (IMAGE_NOT_FOUND on a registry, REGISTRY_*) belong to the registry client.
import type { CodeCatalog } from '../types.js';

export const imageCodes = {
  IMAGE_NOT_LOCAL: {
    kind: 'not_found',
    message: 'No such image: {name}',
    hint: 'run `flotilla images` to list local images, or `flotilla pull {name}`',
  },
  IMAGE_ID_AMBIGUOUS: {
    kind: 'invalid_argument',
    message: 'image id prefix "{prefix}" matches several images',
    hint: 'give more characters of the image id',
  },
  IMAGE_IN_USE: {
    kind: 'conflict',
    message:
      'conflict: unable to remove repository reference "{name}" (must force) - container {container} is using its referenced image {imageId}',
    hint: 'remove the container first, or use `flotilla rmi -f`',
  },
  IMAGE_MULTIPLE_TAGS: {
    kind: 'conflict',
    message:
      'conflict: unable to delete {imageId} (must be forced) - image is referenced in multiple repositories',
    hint: 'remove the tags one by one, or use `flotilla rmi -f`',
  },
  IMAGE_PULL_FAILED: {
    kind: 'unavailable',
    message: 'pulling {ref} failed: {reason}',
    retryable: true,
  },
  IMAGE_LAYER_REJECTED: {
    kind: 'invalid_argument',
    message: 'image {ref}: layer {digest} was rejected: {reason}',
    hint: 'the image contains a hostile or malformed layer; it was not stored',
  },
  IMAGE_PUSH_FAILED: {
    kind: 'unavailable',
    message: 'pushing {ref} failed: {reason}',
    retryable: true,
  },
  IMAGE_PUSH_NO_TAG: {
    kind: 'invalid_argument',
    message: 'An image does not exist locally with the tag: {name}',
    hint: 'tag it first: `flotilla tag IMAGE {name}`',
  },
  IMAGE_ARCHIVE_INVALID: {
    kind: 'invalid_argument',
    message: 'invalid image archive: {reason}',
    hint: 'give a tar written by `flotilla save` or `docker save`',
  },
  IMAGE_IMPORT_INVALID: {
    kind: 'invalid_argument',
    message: 'cannot import root filesystem: {reason}',
    hint: 'give a tar (optionally gzip-compressed) of a root filesystem, or - for stdin',
  },
  IMAGE_AUTH_INVALID: {
    kind: 'invalid_argument',
    message: 'invalid X-Registry-Auth header: {reason}',
  },
} satisfies CodeCatalog;
