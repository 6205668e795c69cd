// Errors of the manager foundation: object store, cluster bootstrap, CA and join tokens, manager API.
import type { CodeCatalog } from '../types.js';

export const managerCodes = {
  STORE_CONFLICT: {
    kind: 'conflict',
    message: 'the {kind} {id} was changed by someone else {attempts} times in a row',
    hint: 'retry the operation',
    retryable: true,
  },
  STORE_NOT_FOUND: {
    kind: 'not_found',
    message: '{kind} {id} not found',
  },
  STORE_ALREADY_EXISTS: {
    kind: 'already_exists',
    message: '{kind} {id} already exists',
  },
  STORE_INVALID_OBJECT: {
    kind: 'invalid_argument',
    message: 'invalid {kind}: {field}: {reason}',
  },
  STORE_UNAVAILABLE: {
    kind: 'unavailable',
    message: 'the cluster store (etcd at {endpoints}) is unavailable: {reason}',
    hint: 'check that etcd is running and reachable from the manager',
    retryable: true,
  },
  ETCD_START_FAILED: {
    kind: 'unavailable',
    message: 'the embedded etcd did not start: {reason}',
    hint: 'check {logFile}, or pass --etcd URL to use an external etcd',
  },
  NO_QUORUM: {
    kind: 'unavailable',
    message: 'the cluster store has no quorum: {reason}',
    hint: 'bring back a majority of the managers; if they are lost for good, run `flotilla manager --force-new-cluster` on a surviving one',
    retryable: true,
  },
  ETCD_JOIN_REFUSED: {
    kind: 'failed_precondition',
    message: 'the embedded etcd cannot take a new member: {reason}',
    hint: '{hint}',
  },
  ETCD_CLUSTER_UNHEALTHY: {
    kind: 'unavailable',
    message: 'the etcd cluster refused a new member for now: {reason}',
    hint: 'every member must have been connected for 5 s; a joining manager retries by itself',
    retryable: true,
  },
  MANAGER_REMOVE_REFUSED: {
    kind: 'failed_precondition',
    message: 'cannot remove the manager on {host}: {reason}',
    hint: '{hint}',
  },
  CLUSTER_NOT_INITIALIZED: {
    kind: 'failed_precondition',
    message: 'no cluster exists in the store at {endpoints}',
    hint: 'run `flotilla manager --init` to create a cluster, or --join ADDR:4242 --token T to join one',
  },
  CLUSTER_ALREADY_INITIALIZED: {
    kind: 'already_exists',
    message: 'a cluster ({clusterId}) already exists in the store at {endpoints}',
    hint: 'start the manager without --init to serve the existing cluster',
  },
  CA_KEY_UNAVAILABLE: {
    kind: 'failed_precondition',
    message: 'this manager cannot decrypt the cluster CA key: {reason}',
    hint: 'join this manager with `--join ADDR:4242 --token <manager token>`, or restore {file}',
  },
  JOIN_TOKEN_REJECTED: {
    kind: 'permission_denied',
    message: 'join token rejected: {reason}',
    hint: 'get a current token with `flotilla cluster join-token worker|manager` on a manager',
  },
  JOIN_CA_MISMATCH: {
    kind: 'permission_denied',
    message: 'the manager at {address} presented a CA that does not match the join token',
    hint: 'check the address and the token; the token names the CA it trusts',
  },
  JOIN_SERVER_NOT_MANAGER: {
    kind: 'permission_denied',
    message: 'the server at {address} is not a manager of this cluster: {reason}',
    hint: 'check the address: a join goes to a manager (its gRPC port); the token names the CA it trusts',
  },
  RATE_LIMITED: {
    kind: 'unavailable',
    message: 'too many requests from {address}; retry after {retryAfterS} s',
    hint: 'joins are rate limited per address (FLOTILLA_API_JOIN_BURST, FLOTILLA_API_JOIN_RATE_PER_MINUTE on the manager)',
    retryable: true,
  },
  CSR_INVALID: {
    kind: 'invalid_argument',
    message: 'invalid certificate signing request: {reason}',
  },
  CERTIFICATE_REVOKED: {
    kind: 'permission_denied',
    message: 'node {nodeId} was removed from the cluster; its certificate is revoked',
    hint: 'join the node again with a join token',
  },
  CLIENT_CERT_REQUIRED: {
    kind: 'permission_denied',
    message: 'the manager API needs a client certificate signed by the cluster CA ({reason})',
    hint: 'use the context written by `flotilla manager --init` (`flotilla context ls`)',
  },
  NO_CLUSTER_CONTEXT: {
    kind: 'failed_precondition',
    message: 'no cluster context {name}',
    hint: 'run `flotilla manager --init` on a manager, or `flotilla context ls` to see contexts',
  },
  SERVICE_NOT_FOUND: {
    kind: 'not_found',
    message: 'service {id} not found',
  },
  SERVICE_NAME_TAKEN: {
    kind: 'already_exists',
    message: 'a service named {name} already exists',
    hint: 'pick another --name, or update the existing service',
  },
  SERVICE_SPEC_INVALID: {
    kind: 'invalid_argument',
    message: 'invalid service spec: {field}: {reason}',
  },
  SERVICE_PORT_IN_USE: {
    kind: 'conflict',
    message:
      'cannot publish port {port}/{protocol} ({mode}) for service {name}: service {holder} already publishes it ({holderMode})',
    hint: 'ingress ports are open on every node: choose another published port, or omit it to get one from 30000-32767',
  },
  INGRESS_PORTS_EXHAUSTED: {
    kind: 'failed_precondition',
    message: 'no free ingress port left in {range} for service {name}',
    hint: 'give the port a published number outside that range, or remove services you no longer need',
  },
  SERVICE_VERSION_MISMATCH: {
    kind: 'conflict',
    message: 'service {id} is at version {current}, not {given}',
    hint: 'inspect the service again and retry the update',
    retryable: true,
  },
  NODE_NOT_FOUND: {
    kind: 'not_found',
    message: 'node {id} not found',
  },
  NODE_AMBIGUOUS: {
    kind: 'invalid_argument',
    message: '{kind} prefix {id} matches more than one {kind}',
    hint: 'give more characters of the id',
  },
  NODE_NOT_DOWN: {
    kind: 'failed_precondition',
    message: 'node {id} is {state}; remove only nodes that are down',
    hint: 'stop its agent first, or use --force',
  },
} satisfies CodeCatalog;
