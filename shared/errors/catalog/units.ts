import type { CodeCatalog } from '../types.js';

export const unitCodes = {
  INVALID_DURATION: {
    kind: 'invalid_argument',
    message: '{field}: invalid duration "{value}"',
    hint: 'use a number with a unit, e.g. 10s, 1m30s, 500ms',
  },
  INVALID_SIZE: {
    kind: 'invalid_argument',
    message: '{field}: invalid size "{value}"',
    hint: 'use a number with an optional unit, e.g. 512m, 1.5g, 100k',
  },
} satisfies CodeCatalog;
