// Errors of agent/network: networks, addresses, published ports and the host tools behind them.
import type { CodeCatalog } from '../types.js';

export const networkCodes = {
  PORT_IN_USE: {
    kind: 'conflict',
    message: 'cannot publish {address}/{protocol}: port {port} is already in use by {holder}',
    hint: 'choose another host port, omit it to get a random one, or stop {holder}',
  },
  INVALID_PUBLISH: {
    kind: 'invalid_argument',
    message: 'invalid port publish "{value}": {reason}',
    hint: 'use [IP:][HOSTPORT:]CONTAINERPORT[/tcp|udp], e.g. 8080:80, 127.0.0.1::80, 8000-8002:80-82/udp',
  },
  PORT_RANGE_EXHAUSTED: {
    kind: 'unavailable',
    message: 'no free {protocol} host port left in {range} for {address}',
    retryable: true,
  },
  NETWORK_NOT_FOUND: {
    kind: 'not_found',
    message: 'network {name} not found',
    hint: 'list networks with `flotilla network ls`',
  },
  NETWORK_EXISTS: {
    kind: 'already_exists',
    message: 'network with name {name} already exists',
  },
  NETWORK_IN_USE: {
    kind: 'failed_precondition',
    message: 'network {name} has active endpoints: {containers}',
    hint: 'disconnect or remove those containers first',
  },
  NETWORK_PREDEFINED: {
    kind: 'failed_precondition',
    message: '{name} is a pre-defined network and cannot be {action}',
  },
  INVALID_SUBNET: {
    kind: 'invalid_argument',
    message: 'invalid subnet "{value}": {reason}',
    hint: 'use an IPv4 CIDR with a prefix between /8 and /30, e.g. 10.241.7.0/24',
  },
  SUBNET_OVERLAP: {
    kind: 'conflict',
    message: 'subnet {subnet} overlaps {other}',
    hint: 'pick another --subnet, or omit it to get one from the pool',
  },
  SUBNET_POOL_EXHAUSTED: {
    kind: 'unavailable',
    message: 'no free /{prefix} subnet left in the pool {pool}',
    hint: 'remove unused networks (`flotilla network prune`) or pass --subnet',
  },
  ADDRESS_POOL_EXHAUSTED: {
    kind: 'unavailable',
    message: 'no free address left in {subnet} (network {network})',
    retryable: true,
  },
  INVALID_NETWORK_MODE: {
    kind: 'invalid_argument',
    message: 'invalid network mode "{mode}": {reason}',
    hint: 'use bridge, host, none, container:<id> or the name of a network',
  },
  ENDPOINT_EXISTS: {
    kind: 'already_exists',
    message: 'container {container} is already connected to network {network}',
  },
  ENDPOINT_NOT_FOUND: {
    kind: 'not_found',
    message: 'container {container} is not connected to network {network}',
  },
  NETWORK_STATE_LOCKED: {
    kind: 'failed_precondition',
    message: 'network state in {dir} is in use by another agent (pid {pid})',
    hint: 'give each agent its own --data-root',
  },
  NODE_SUBNET_IN_USE: {
    kind: 'failed_precondition',
    message: 'node subnet {subnet} is already routed on interface {dev} (route {route})',
    hint: 'give this agent its own --node-subnet, or remove what a stopped agent left behind with `flotilla agent cleanup --data-root DIR`',
  },
  NETWORK_COMMAND_FAILED: {
    kind: 'internal',
    message: 'network setup failed: `{command}`: {stderr}',
    hint: 'run again with --debug and report the output',
  },
  OVERLAY_ENCRYPTION_UNAVAILABLE: {
    kind: 'failed_precondition',
    message:
      'encrypted overlay network {network} cannot be carried on this machine: its kernel has no ESP with AES-GCM (CONFIG_INET_ESP, CONFIG_CRYPTO_GCM)',
    hint: 'run tasks of encrypted networks on machines whose kernel has ESP, or create the network without --opt encrypted',
  },
  IP_NEEDS_USER_NETWORK: {
    kind: 'invalid_argument',
    message: 'user specified IP address is supported on user defined networks only',
    hint: 'create a network (`flotilla network create NAME`) and run with --network NAME --ip ADDRESS',
  },
  IP_ADDRESS_IN_USE: {
    kind: 'conflict',
    message: 'Address already in use: {ip} on network {network} is held by container {owner}',
    hint: 'pick another address in the subnet, or remove the container that holds it',
  },
} satisfies CodeCatalog;
