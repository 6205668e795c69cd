// Certificate lifecycle: renewal, expiry, root rotation (manager/ca, agent/session).
import type { CodeEntry } from '../types.js';

export const certificateCodes = {
  CA_ROTATION_IN_PROGRESS: {
    kind: 'failed_precondition',
    message: 'a CA rotation started at {startedAt} is still in progress',
    hint: 'follow it with `flotilla cluster ca`; it completes once every node has renewed',
  },
  NODE_CERTIFICATE_EXPIRED: {
    kind: 'failed_precondition',
    message: 'the node certificate in {file} expired at {notAfter}; it cannot reconnect with it',
    hint: 'rejoin: start the agent again with --join ADDR --token TOKEN (`flotilla cluster join-token worker`)',
  },
  CERTIFICATE_RENEWAL_FAILED: {
    kind: 'unavailable',
    message: 'renewing the certificate of node {nodeId} failed: {reason}',
    retryable: true,
  },
} satisfies Record<string, CodeEntry>;
