// Checks a Task document on every store read and write.
import { taskStates } from '../../../shared/model/index.js';
import { arr, int, obj, oneOf, optInt, optStr, str, time } from './check.js';
import { port } from './service.js';
import { attachments } from './network.js';

export function validateTask(v: unknown): void {
  const t = obj(v, 'task');
  str(t.id, 'id', { nonEmpty: true });
  str(t.serviceId, 'serviceId', { nonEmpty: true });
  int(t.slot, 'slot', { min: 0 });
  optStr(t.nodeId, 'nodeId');
  int(t.serviceVersion, 'serviceVersion', { min: 0 });
  obj(obj(t.spec, 'spec').containerSpec, 'spec.containerSpec');
  arr(t.endpointPorts, 'endpointPorts', port);
  oneOf(t.desiredState, 'desiredState', ['running', 'shutdown', 'remove']);
  const s = obj(t.status, 'status');
  oneOf(s.state, 'status.state', taskStates);
  time(s.timestamp, 'status.timestamp');
  str(s.message, 'status.message');
  optStr(s.err, 'status.err');
  optStr(s.containerId, 'status.containerId');
  optStr(s.address, 'status.address');
  optInt(s.exitCode, 'status.exitCode');
  time(t.createdAt, 'createdAt');
  optStr(t.pendingReason, 'pendingReason');
  optStr(t.resolvedImage, 'resolvedImage');
  optStr(t.pullAuthId, 'pullAuthId');
  if (t.networks !== undefined) attachments(t.networks, 'networks');
}
