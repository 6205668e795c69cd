// Errors of the stack (compose) file loader: shared/stack and `flotilla stack ...`.
import type { CodeCatalog } from '../types.js';

export const stackCodes = {
  STACK_INVALID: {
    kind: 'invalid_argument',
    message: '{detail}',
    hint: 'fix the stack file at the positions shown; `flotilla stack config -c FILE` checks it',
  },
  STACK_FILE_UNREADABLE: {
    kind: 'invalid_argument',
    message: 'cannot read stack file {file}: {reason}',
  },
  STACK_ALIAS_LIMIT: {
    kind: 'invalid_argument',
    message: '{file}: YAML aliases expand too much (more than {limit} alias expansions)',
    hint: 'anchors that alias other anchors multiply; this looks like an alias bomb',
  },
  STACK_DEPTH_LIMIT: {
    kind: 'invalid_argument',
    message: '{file}:{line}:{column}: YAML nesting deeper than the limit of {limit} levels',
  },
  STACK_FILE_TOO_LARGE: {
    kind: 'invalid_argument',
    message: 'stack file {file} is too large: {size} bytes, the limit is {limit}',
    hint: 'a stack file describes services; keep data in secrets, configs or volumes',
  },
  STACK_NO_FILES: {
    kind: 'invalid_argument',
    message: 'no stack file given',
    hint: 'pass one or more files with -c/--compose-file',
  },
} satisfies CodeCatalog;
