// Conversions between the wire messages (proto/gen) and the object model (shared/model).
import type {
  NodeDescription__Output,
  TaskStatus__Output,
  TlsInfo__Output,
} from '../../proto/index.js';
import type { NodeDescription, NodeTlsInfo, Task, TaskStatus } from '../../shared/model/index.js';
import { taskStates, type TaskState } from '../../shared/model/index.js';

export function nodeDescriptionFromWire(
  d: NodeDescription__Output | null | undefined,
): NodeDescription {
  return {
    hostname: d?.hostname ?? '',
    addr: d?.addr ?? '',
    platform: {
      os: d?.platform?.os || 'linux',
      architecture: d?.platform?.architecture || 'x86_64',
    },
    resources: { nanoCpus: Number(d?.nanoCpus ?? 0), memoryBytes: Number(d?.memoryBytes ?? 0) },
    engineVersion: d?.engineVersion ?? '',
    engineLabels: { ...(d?.engineLabels ?? {}) },
  };
}

/** The agent's certificate report; undefined when it sent none (agents from before renewal). */
export function tlsInfoFromWire(t: TlsInfo__Output | null | undefined): NodeTlsInfo | undefined {
  if (!t || !t.certNotAfter) return undefined;
  return {
    certNotAfter: t.certNotAfter,
    issuerKeyDigest: t.issuerKeyDigest,
    trustDigests: [...t.trustDigests],
  };
}

const states = new Set<string>(taskStates);

/** The agent's report as a model TaskStatus, or undefined when the state is not one we know. */
export function taskStatusFromWire(
  s: TaskStatus__Output | null | undefined,
): TaskStatus | undefined {
  if (!s || !states.has(s.state)) return undefined;
  const status: TaskStatus = {
    state: s.state as TaskState,
    timestamp: s.timestamp || new Date().toISOString(),
    message: s.message ?? '',
  };
  if (s.err) status.err = s.err;
  if (s.containerId) status.containerId = s.containerId;
  if (s.address) status.address = s.address;
  if (s.exitCode !== undefined && s.exitCode !== null) status.exitCode = s.exitCode;
  if (s.health === 'starting' || s.health === 'healthy' || s.health === 'unhealthy')
    status.health = s.health;
  return status;
}

/** What the agent must know about a task; an assignment is re-sent only when this changes. */
export function assignmentKey(t: Task): string {
  return `${t.desiredState}|${t.serviceVersion}|${t.spec.forceUpdate}`;
}
