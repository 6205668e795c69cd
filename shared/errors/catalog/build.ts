import type { CodeCatalog } from '../types.js';

export const buildCodes = {
  DOCKERFILE_SYNTAX: {
    kind: 'invalid_argument',
    message: '{file}:{line}: {reason}',
  },
  BUILD_STEP_FAILED: {
    kind: 'failed_precondition',
    message: '{file}:{line}: {instruction} failed: {reason}',
  },
  BUILD_CONTEXT_INVALID: {
    kind: 'invalid_argument',
    message: 'build context {path}: {reason}',
  },
  BUILD_ADD_URL_UNSUPPORTED: {
    kind: 'invalid_argument',
    message:
      '{file}:{line}: ADD {url}: downloading URLs is not supported (builds have no internet)',
    hint: 'download the file into the build context and ADD or COPY it from there',
  },
  COMMIT_UNSUPPORTED: {
    kind: 'failed_precondition',
    message: 'cannot {action} container {id}: {reason}',
  },
} satisfies CodeCatalog;
