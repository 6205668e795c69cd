// The slim documents the dashboard page receives: only what it draws, so that a snapshot of a
// 1,000-node cluster stays small and a heartbeat (which changes no drawn field) sends nothing.
import { isTerminal, type Node, type Service, type Task } from '../../shared/model/index.js';

// The page's own wire types are the one definition: the page is compiled apart (web/tsconfig.json)
// and cannot import from here, so the manager imports from it.
export type { NodeView, ServiceView, TaskView } from './web/wire.js';
import type { NodeView, ServiceView, TaskView } from './web/wire.js';

export function nodeView(n: Node): NodeView {
  const d = n.description;
  return {
    id: n.id,
    hostname: d.hostname,
    addr: d.addr,
    role: n.spec.role,
    availability: n.spec.availability,
    state: n.status.state,
    message: n.status.message,
    nanoCpus: d.resources?.nanoCpus ?? 0,
    memoryBytes: d.resources?.memoryBytes ?? 0,
    platform: d.platform ? `${d.platform.os}/${d.platform.architecture}` : '',
  };
}

export function serviceView(s: Service): ServiceView {
  const mode = s.spec.mode;
  const u = s.updateStatus;
  return {
    id: s.id,
    name: s.spec.name,
    version: s.version,
    mode: 'replicated' in mode ? 'replicated' : 'global',
    ...('replicated' in mode ? { replicas: mode.replicated.replicas } : {}),
    image: s.spec.taskTemplate.containerSpec.image,
    ports: (s.endpoint?.ports ?? s.spec.endpointSpec?.ports ?? []).map((p) => ({
      published: p.published,
      target: p.target,
      protocol: p.protocol,
      mode: p.mode,
    })),
    ...(u
      ? { update: { state: u.state, message: u.message, serviceVersion: u.serviceVersion } }
      : {}),
    canRollback: Boolean(s.previousSpec),
  };
}

/**
 * Tasks the page draws: those meant to run, and those still on their way down (so a drain shows
 * them leaving). Finished history tasks are not sent: undefined means "not on the page".
 */
export function taskView(t: Task): TaskView | undefined {
  if (t.desiredState !== 'running' && isTerminal(t.status.state)) return undefined;
  return {
    id: t.id,
    serviceId: t.serviceId,
    nodeId: t.nodeId,
    slot: t.slot,
    serviceVersion: t.serviceVersion,
    state: t.status.state,
    desiredState: t.desiredState,
    ...(t.status.err || t.status.message ? { message: t.status.err || t.status.message } : {}),
  };
}
