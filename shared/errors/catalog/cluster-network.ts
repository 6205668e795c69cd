// Errors of cluster (overlay) networks: `flotilla network` against a manager, and services and
// stacks that attach to them (manager/networks). Shared names (NETWORK_NOT_FOUND, NETWORK_EXISTS,
// INVALID_SUBNET, SUBNET_OVERLAP …) are in network.ts.
import type { CodeCatalog } from '../types.js';

export const clusterNetworkCodes = {
  NETWORK_DRIVER_UNSUPPORTED: {
    kind: 'invalid_argument',
    message: 'network driver {driver} is not supported on a cluster: only overlay',
    hint: 'use -d overlay, or -H to create a bridge network on one agent',
  },
  NETWORK_NAME_INVALID: {
    kind: 'invalid_argument',
    message: 'invalid network name "{name}"',
    hint: 'a name starts with a letter or digit and holds only letters, digits, _ . and -',
  },
  NETWORK_OPTION_UNKNOWN: {
    kind: 'invalid_argument',
    message: 'unknown network option {key}',
    hint: 'the overlay driver takes --opt encrypted (and com.docker.network.driver.mtu is not supported)',
  },
  INVALID_GATEWAY: {
    kind: 'invalid_argument',
    message: 'invalid gateway "{value}": {reason}',
    hint: 'give a host address inside --subnet, e.g. 10.10.5.1 for 10.10.5.0/24',
  },
  NETWORK_USED_BY_SERVICES: {
    kind: 'failed_precondition',
    message: 'network {name} is in use by service(s) {services}',
    hint: 'remove those services, or detach them with `flotilla service update --network-rm {name} SERVICE`',
  },
  NETWORK_AMBIGUOUS: {
    kind: 'invalid_argument',
    message: 'network {ref} is ambiguous ({count} matches)',
    hint: 'give more of the id, or the full name',
  },
  NETWORK_NOT_ATTACHABLE: {
    kind: 'permission_denied',
    message: 'network {name} not manually attachable',
    hint: 'create the network with --attachable, or run the container as a service',
  },
  NETWORK_ATTACH_REFUSED: {
    kind: 'permission_denied',
    message:
      'Could not attach to network {name}: rpc error: code = PermissionDenied desc = {reason}',
    hint: 'create the network with --attachable, or run the container as a service',
  },
  NETWORK_ATTACHMENT_FOREIGN: {
    kind: 'permission_denied',
    message: 'network attachment {id} belongs to another node',
  },
} satisfies CodeCatalog;
