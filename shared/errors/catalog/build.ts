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
} satisfies CodeCatalog;
