// Errors that belong to no single component: configuration, arguments, transport.
import type { CodeCatalog } from '../types.js';

export const commonCodes = {
  INVALID_ARGUMENT: {
    kind: 'invalid_argument',
    message: '{detail}',
    hint: 'run the command with --help to see its usage',
  },
  INVALID_FLAG_VALUE: {
    kind: 'invalid_argument',
    message: 'invalid value "{value}" for flag {flag}: {reason}',
  },
  INVALID_FILTER: {
    kind: 'invalid_argument',
    message: "invalid filter '{filter}'",
    hint: 'see the command’s --help for the filters it takes',
  },
  OBJECT_NOT_FOUND: {
    kind: 'not_found',
    message: 'No such object: {name}',
    hint: 'inspect looks for a container, an image, a volume and a network of that name or id',
  },
  FORMAT_TEMPLATE_INVALID: {
    kind: 'invalid_argument',
    message: 'template parsing error: {detail}',
    hint: 'see https://docs.docker.com/go/formatting/ for the --format template syntax',
  },
  INVALID_CONFIG: {
    kind: 'invalid_argument',
    message: 'invalid configuration in {file}: {reason}',
  },
  AGENT_UNREACHABLE: {
    kind: 'unavailable',
    message: 'cannot reach the flotilla agent at {address}: {reason}',
    hint: 'is `flotilla agent` running? Set -H or FLOTILLA_HOST to its socket',
  },
  MANAGER_UNREACHABLE: {
    kind: 'unavailable',
    message: 'cannot reach a flotilla manager at {address}: {reason}',
    hint: 'check the context (`--context`, FLOTILLA_CONTEXT) and that a manager is running',
  },
  PERMISSION_DENIED: {
    kind: 'permission_denied',
    message: '{detail}',
  },
  NOT_ROOT: {
    kind: 'permission_denied',
    message: '{what} must run as root',
  },
  AGENT_RUNNING: {
    kind: 'failed_precondition',
    message: 'an agent (pid {pid}) is running on {dir}',
    hint: 'stop that agent first, or give this one its own --exec-root and --data-root',
  },
  AGENT_SOCKET_IN_USE: {
    kind: 'failed_precondition',
    message: 'an agent already answers on {socket}',
    hint: 'stop that agent first, or give this one its own socket (-H unix:///PATH) or --exec-root',
  },
  INTERNAL: {
    kind: 'internal',
    message: 'internal error: {detail}',
    hint: 'run again with --debug and report the output',
  },
  LIMIT_EXCEEDED: {
    kind: 'invalid_argument',
    message: '{what} exceeds the limit of {limit}',
  },
} satisfies CodeCatalog;
