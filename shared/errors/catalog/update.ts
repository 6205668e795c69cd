// Errors of rolling updates, rollbacks and waiting for a service to converge (manager/update,
// `service update|rollback|scale|create`, `stack deploy|rm`).
import type { CodeCatalog } from '../types.js';

export const updateCodes = {
  SERVICE_NO_PREVIOUS_SPEC: {
    kind: 'failed_precondition',
    message: 'service {name} has no previous spec to roll back to',
    hint: 'a service can be rolled back only after it has been updated once',
  },
  SERVICE_UPDATE_PAUSED: {
    kind: 'failed_precondition',
    message: 'service update paused: {message}',
    hint: 'see `flotilla service ps {name}`; fix the spec and run `flotilla service update {name}` again, or `flotilla service rollback {name}`',
  },
  SERVICE_ROLLBACK_PAUSED: {
    kind: 'failed_precondition',
    message: 'service rollback paused: {message}',
    hint: 'see `flotilla service ps {name}`; `flotilla service update {name}` resumes it',
  },
  SERVICE_ROLLED_BACK: {
    kind: 'failed_precondition',
    message: 'service rolled back: {message}',
    hint: 'see `flotilla service ps {name}` for the tasks that failed',
  },
  SERVICE_TASKS_FAILING: {
    kind: 'failed_precondition',
    message: 'service {name} is not converging: {count} tasks failed, the last with: {error}',
    hint: 'see `flotilla service ps {name}`; the service keeps trying in the background',
  },
  SERVICE_LOGS_UNAVAILABLE: {
    kind: 'unavailable',
    message: 'cannot read the logs of task {task} on node {node}: {reason}',
    hint: 'logs are read from the agent of each node; run the command on that node, or with -H pointing at its agent',
  },
  STACK_NOT_FOUND: {
    kind: 'not_found',
    message: 'nothing found in stack: {name}',
  },
} satisfies CodeCatalog;
