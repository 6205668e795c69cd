// Cluster events in Docker's shape (`docker events` with a swarm scope), made from store changes:
// what changed is read from the object before and after, so every manager makes the same events
// from its own watch. No event for a write that changes nothing a user sees (a heartbeat time).
import type { Node, Service } from '../../shared/model/index.js';
import type { StoreEvent } from '../store/index.js';

export interface ClusterEvent {
  Type: 'service' | 'node' | 'task' | 'secret' | 'config';
  Action: 'create' | 'update' | 'remove';
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'swarm';
  /** Seconds and nanoseconds since the epoch, as Docker's events. */
  time: number;
  timeNano: number;
}

/** The event a store change makes, or undefined when nothing a user sees changed. */
export function clusterEventOf(e: StoreEvent, nowMs: number): ClusterEvent | undefined {
  const made = (
    Type: ClusterEvent['Type'],
    Action: ClusterEvent['Action'],
    ID: string,
    Attributes: Record<string, string>,
  ): ClusterEvent => ({
    Type,
    Action,
    Actor: { ID, Attributes },
    scope: 'swarm',
    time: Math.floor(nowMs / 1000),
    timeNano: nowMs * 1e6,
  });
  const action = e.type === 'delete' ? 'remove' : e.previous ? 'update' : 'create';
  switch (e.kind) {
    case 'service': {
      const attrs = { name: e.object.spec.name, ...serviceChanges(e.previous, e.object, action) };
      if (action === 'update' && Object.keys(attrs).length === 1) return undefined;
      return made('service', action, e.object.id, attrs);
    }
    case 'node': {
      const attrs = { name: e.object.description.hostname, ...nodeChanges(e.previous, e.object) };
      if (action === 'update' && Object.keys(attrs).length === 1) return undefined;
      return made('node', action, e.object.id, attrs);
    }
    // As Docker: create and remove with the name; never the data.
    case 'secret':
    case 'config':
      return made(e.kind, action, e.object.id, { name: e.object.spec.name });
    case 'task': {
      const t = e.object;
      const attrs: Record<string, string> = {
        name: `${t.serviceId}.${t.slot || t.nodeId}`,
        'com.docker.swarm.service.id': t.serviceId,
        'com.docker.swarm.node.id': t.nodeId ?? '',
        state: t.status.state,
      };
      if (action === 'update') {
        if (
          e.previous?.status.state === t.status.state &&
          e.previous.desiredState === t.desiredState
        )
          return undefined;
        attrs['state.old'] = e.previous?.status.state ?? '';
        attrs['state.new'] = t.status.state;
        if (e.previous?.desiredState !== t.desiredState) {
          attrs['desiredstate.old'] = e.previous?.desiredState ?? '';
          attrs['desiredstate.new'] = t.desiredState;
        }
      }
      return made('task', action, t.id, attrs);
    }
  }
}

/** Docker's service update attributes: the update state and the replica count when they change. */
function serviceChanges(
  before: Service | undefined,
  after: Service,
  action: ClusterEvent['Action'],
): Record<string, string> {
  if (action !== 'update' || !before) return {};
  const out: Record<string, string> = {};
  if (
    before.version !== after.version ||
    JSON.stringify(before.spec) !== JSON.stringify(after.spec)
  )
    out['spec.version'] = String(after.version);
  const [u0, u1] = [before.updateStatus?.state ?? '', after.updateStatus?.state ?? ''];
  if (u0 !== u1) Object.assign(out, { 'updatestate.old': u0, 'updatestate.new': u1 });
  const replicas = (s: Service) =>
    'replicated' in s.spec.mode ? String(s.spec.mode.replicated.replicas) : '';
  if (replicas(before) !== replicas(after))
    Object.assign(out, { 'replicas.old': replicas(before), 'replicas.new': replicas(after) });
  return out;
}

/** Docker's node update attributes: state, availability and role, old and new, when changed. */
function nodeChanges(before: Node | undefined, after: Node): Record<string, string> {
  if (!before) return {};
  const out: Record<string, string> = {};
  const pairs: [string, string, string][] = [
    ['state', before.status.state, after.status.state],
    ['availability', before.spec.availability, after.spec.availability],
    ['role', before.spec.role, after.spec.role],
  ];
  for (const [k, a, b] of pairs)
    if (a !== b) Object.assign(out, { [`${k}.old`]: a, [`${k}.new`]: b });
  if (JSON.stringify(before.spec.labels) !== JSON.stringify(after.spec.labels))
    out['labels.changed'] = 'true';
  return out;
}
