// Errors of the cluster's moving parts: placement, scheduling, agent sessions, joining, executing tasks.
import type { CodeCatalog } from '../types.js';

export const clusterCodes = {
  PLACEMENT_CONSTRAINT_INVALID: {
    kind: 'invalid_argument',
    message: 'invalid placement constraint "{constraint}"',
    hint: 'write constraints as node.id|node.hostname|node.role|node.labels.KEY|engine.labels.KEY followed by == or != and a value',
  },
  SESSION_UNAUTHENTICATED: {
    kind: 'permission_denied',
    message: 'agent session refused: {reason}',
    hint: 'join the node again with `flotilla agent --join ADDR --token TOKEN`',
  },
  SESSION_PROTOCOL: {
    kind: 'invalid_argument',
    message: 'agent session protocol error: {reason}',
  },
  NODE_JOIN_FAILED: {
    kind: 'unavailable',
    message: 'cannot join the cluster at {address}: {reason}',
    hint: 'check the address and the join token (`flotilla cluster join-token worker`)',
    retryable: true,
  },
  JOIN_TOKEN_INVALID: {
    kind: 'invalid_argument',
    message: 'invalid join token: {reason}',
    hint: 'copy the whole token printed by `flotilla cluster join-token worker`',
  },
  TASK_UNHEALTHY: {
    kind: 'failed_precondition',
    message: 'task {taskId} became unhealthy',
  },
  TASK_EXEC_FAILED: {
    kind: 'internal',
    message: 'task {taskId} failed during {stage}: {reason}',
    retryable: true,
  },
  NODE_SUBNET_POOL_EXHAUSTED: {
    kind: 'failed_precondition',
    message:
      'no free /{prefix} subnet left for node {nodeId} in the cluster address pools: {pools}',
    hint: 'remove nodes that left (`flotilla node rm`) or give the agent --node-subnet',
  },
  NODE_SUBNET_TAKEN: {
    kind: 'conflict',
    message: 'subnet {subnet} for node {nodeId} is already held by node {holder}',
    hint: 'give the agent another --node-subnet, or leave it out to get a free one from the pool',
  },
  NODE_LOGS_UNAVAILABLE: {
    kind: 'unavailable',
    message: 'cannot read logs from node {nodeId}: {reason}',
    hint: 'check that the node is up (`flotilla node ls`)',
    retryable: true,
  },
} satisfies CodeCatalog;
