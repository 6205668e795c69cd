// Errors of the cluster's access control: admin certificates and contexts, demoted and revoked
// identities, join-token expiry, the CA key-encryption key and autolock.
import type { CodeCatalog } from '../types.js';

export const securityCodes = {
  MANAGER_ROLE_REVOKED: {
    kind: 'permission_denied',
    message:
      'node {nodeId} is no longer a manager: its certificate gives no access to the manager API',
    hint: 'promote the node again with `flotilla node promote`, or use an admin context',
  },
  ADMIN_REVOKED: {
    kind: 'permission_denied',
    message: 'the admin certificate {adminId} was revoked',
    hint: 'ask a cluster admin for a new context bundle (`flotilla cluster admin add NAME`)',
  },
  ADMIN_ALREADY_EXISTS: {
    kind: 'already_exists',
    message: 'an admin named {name} already exists',
    hint: 'pick another name, or revoke the old one first with `flotilla cluster admin rm {name}`',
  },
  ADMIN_NOT_FOUND: {
    kind: 'not_found',
    message: 'no admin named {name}',
    hint: 'list admins with `flotilla cluster admin ls`',
  },
  JOIN_TOKEN_EXPIRED: {
    kind: 'permission_denied',
    message: 'join token rejected: the {role} join token expired at {expiresAt}',
    hint: 'get a new one with `flotilla cluster join-token --rotate {role}` on a manager',
  },
  CLUSTER_LOCKED: {
    kind: 'failed_precondition',
    message: 'this manager is locked: autolock is on and it has restarted',
    hint: 'run `flotilla cluster unlock` and give the unlock key',
  },
  CLUSTER_NOT_LOCKED: {
    kind: 'failed_precondition',
    message: 'this manager is not locked',
  },
  UNLOCK_KEY_INVALID: {
    kind: 'permission_denied',
    message: 'the unlock key is not correct{detail}',
    hint: 'give the key printed by `flotilla cluster unlock-key` when it was last rotated',
  },
  AUTOLOCK_DISABLED: {
    kind: 'failed_precondition',
    message: 'autolock is off: the cluster has no unlock key',
    hint: 'turn it on with `flotilla cluster update --autolock=true`',
  },
  CONTEXT_ALREADY_EXISTS: {
    kind: 'already_exists',
    message: 'context {name} already exists',
    hint: 'remove it first with `flotilla context rm {name}`, or pick another name',
  },
  CONTEXT_BUNDLE_INVALID: {
    kind: 'invalid_argument',
    message: '{file} is not a Flotilla context bundle: {reason}',
    hint: 'use a file written by `flotilla cluster admin add` or `flotilla context export`',
  },
  DASHBOARD_SESSION_REQUIRED: {
    kind: 'permission_denied',
    message: 'the dashboard needs a session: {reason}',
    hint: 'open a login URL printed by `flotilla dashboard --url`',
  },
  DASHBOARD_LOGIN_REFUSED: {
    kind: 'permission_denied',
    message: 'this dashboard login URL is unknown, already used or expired',
    hint: 'print a new one with `flotilla dashboard --url`: each works once, for a few minutes',
  },
  DASHBOARD_ACTION_REFUSED: {
    kind: 'permission_denied',
    message: 'dashboard action refused: {reason}',
    hint: 'reload the dashboard page; actions come only from the page itself',
  },
  DASHBOARD_ADMIN_REQUIRED: {
    kind: 'permission_denied',
    message: 'a dashboard login needs an admin certificate; this request came from {actor}',
    hint: 'use a context written by `flotilla manager --init` or `flotilla cluster admin add`',
  },
  DASHBOARD_NOT_BUILT: {
    kind: 'unavailable',
    message: "the dashboard's page is not built on this manager (looked in {dirs})",
    hint: 'build it with `npm run build`',
  },
} satisfies CodeCatalog;
