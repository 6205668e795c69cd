// Errors of image references, the registry client (distribution API) and registry credentials.
// Messages name the image in its familiar form and the registry host, as `docker pull` does.
import type { CodeCatalog } from '../types.js';

export const registryCodes = {
  INVALID_REFERENCE: {
    kind: 'invalid_argument',
    message: 'invalid reference format "{input}": {reason}',
    hint: 'use NAME[:TAG][@DIGEST], e.g. ubuntu:22.04 or 127.0.0.1:5000/app:v1',
  },
  IMAGE_NOT_FOUND: {
    kind: 'not_found',
    message: 'image {ref} was not found on {registry}',
    hint: 'check the tag, or run `flotilla login {registry}` if the repository is private',
  },
  BLOB_NOT_FOUND: {
    kind: 'not_found',
    message: 'blob {digest} of image {ref} was not found on {registry}',
    hint: 'the image may have been deleted or pushed incompletely; push it again',
  },
  REGISTRY_UNAUTHORIZED: {
    kind: 'permission_denied',
    message: 'authentication required for {ref} on {registry}: {detail}',
    hint: 'run `flotilla login {registry}`, or check that the repository exists',
  },
  REGISTRY_DENIED: {
    kind: 'permission_denied',
    message: 'access to {ref} on {registry} was denied: {detail}',
    hint: 'check that your account may {action} this repository',
  },
  REGISTRY_LOGIN_FAILED: {
    kind: 'permission_denied',
    message: 'login to {registry} failed: {detail}',
    hint: 'check the username and password (or access token)',
  },
  REGISTRY_RATE_LIMITED: {
    kind: 'unavailable',
    message: 'too many requests to {registry} for {ref}: {detail}',
    hint: 'wait and retry, or log in to get a higher pull limit',
    retryable: true,
  },
  REGISTRY_UNAVAILABLE: {
    kind: 'unavailable',
    message: 'registry {registry} is unavailable for {ref}: {detail}',
    hint: 'the registry answered with a server error; retry later',
    retryable: true,
  },
  REGISTRY_UNREACHABLE: {
    kind: 'unavailable',
    message: 'cannot reach registry {registry}: {detail}',
    hint: 'check the address and network; add --insecure-registry {registry} for a plain-HTTP registry',
    retryable: true,
  },
  REGISTRY_REQUEST_FAILED: {
    kind: 'failed_precondition',
    message: 'registry {registry} rejected {operation} for {ref}: {detail}',
  },
  BLOB_DIGEST_MISMATCH: {
    kind: 'unavailable',
    message: 'blob {digest} of image {ref} failed verification: its content hashes to {actual}',
    hint: 'the data was corrupted in transit or in the registry; retry the pull',
    retryable: true,
  },
  BLOB_SIZE_MISMATCH: {
    kind: 'unavailable',
    message:
      'blob {digest} of image {ref} has the wrong size: expected {expected} bytes, got {actual}',
    hint: 'the data was truncated or corrupted in transit; retry the pull',
    retryable: true,
  },
  MANIFEST_DIGEST_MISMATCH: {
    kind: 'failed_precondition',
    message: 'manifest of image {ref} has digest {actual}, expected {expected}',
    hint: 'the registry returned different content than requested; check for a misbehaving proxy',
  },
  MANIFEST_INVALID: {
    kind: 'failed_precondition',
    message: 'manifest of image {ref} from {registry} is invalid: {reason}',
  },
  MANIFEST_TOO_LARGE: {
    kind: 'failed_precondition',
    message: '{what} of image {ref} exceeds the limit of {limitBytes} bytes',
  },
  UNSUPPORTED_MANIFEST: {
    kind: 'failed_precondition',
    message: 'image {ref} uses the unsupported manifest type {mediaType}',
    hint: 'schema1 and other legacy formats are not supported; rebuild and push the image with a current builder',
  },
  NO_MATCHING_PLATFORM: {
    kind: 'not_found',
    message: 'image {ref} has no manifest for platform {platform}; available: {available}',
    hint: 'pass a platform the image provides, or build the image for {platform}',
  },
  CREDENTIALS_STORE_FAILED: {
    kind: 'failed_precondition',
    message: 'cannot use the credential store {file}: {reason}',
  },
} satisfies CodeCatalog;
