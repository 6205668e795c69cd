// Errors of secrets and configs: the objects (manager/api/routes/secrets.ts, configs.ts), the
// references services hold, and delivery to the agents.
import type { CodeCatalog } from '../types.js';

export const secretCodes = {
  SECRET_NOT_FOUND: {
    kind: 'not_found',
    message: 'No such {kind}: {name}',
    hint: 'list them with `flotilla {kind} ls`, or create it with `flotilla {kind} create`',
  },
  SECRET_NAME_TAKEN: {
    kind: 'already_exists',
    message: '{kind} {name} already exists',
    hint: '{kind}s are immutable: create a new version under another name and `service update --{kind}-rm/--{kind}-add`',
  },
  SECRET_INVALID: {
    kind: 'invalid_argument',
    message: 'invalid {kind} {field}: {reason}',
  },
  SECRET_IN_USE: {
    kind: 'failed_precondition',
    message: '{kind} {name} is in use by the following service(s): {services}',
    hint: 'remove it from those services first (`flotilla service update --{kind}-rm {name} SERVICE`)',
  },
  SECRET_AMBIGUOUS: {
    kind: 'invalid_argument',
    message: '{kind} prefix {ref} matches more than one {kind}',
    hint: 'give the full name or more characters of the id',
  },
  SECRET_KEY_UNAVAILABLE: {
    kind: 'unavailable',
    message: 'cannot open the secrets data key: {reason}',
    hint: 'the manager must hold the current key-encryption key (see `flotilla cluster unlock`)',
    retryable: true,
  },
  TASK_PULL_UNAUTHORIZED: {
    kind: 'permission_denied',
    message:
      'pulling {ref} needs credentials for {registry}, and the service has none ' +
      '(it was created or updated without --with-registry-auth)',
    hint:
      'run `flotilla login {registry}`, then `flotilla service update --with-registry-auth ' +
      'SERVICE` (or `flotilla stack deploy --with-registry-auth`)',
  },
  TASK_SECRET_MISSING: {
    kind: 'failed_precondition',
    message: 'the {kind} {name} ({id}) of this task has not reached this node',
    hint: 'the manager sends it with the task; it is retried when the task is replaced',
    retryable: true,
  },
} satisfies CodeCatalog;
