import type { CodeCatalog } from '../types.js';

export const loggingCodes = {
  LOG_DRIVER_UNKNOWN: {
    kind: 'invalid_argument',
    message: 'logging driver "{driver}" is not supported',
    hint: 'use json-file, local, journald, syslog, none or k8s-file',
  },
  LOG_OPT_UNKNOWN: {
    kind: 'invalid_argument',
    message: 'unknown log opt "{option}" for {driver} log driver',
    hint: '{driver} takes: {supported}',
  },
  LOG_OPT_INVALID: {
    kind: 'invalid_argument',
    message: 'invalid log opt {option}="{value}" for {driver} log driver: {reason}',
  },
  LOG_DRIVER_UNAVAILABLE: {
    kind: 'failed_precondition',
    message: 'the {driver} log driver cannot be used on this host: {reason}',
  },
  LOG_READ_UNSUPPORTED: {
    kind: 'failed_precondition',
    message: 'configured logging driver does not support reading',
    hint: 'container {id} logs with the {driver} driver, which keeps no copy that can be read here',
  },
} satisfies CodeCatalog;
