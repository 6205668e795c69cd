// Checks a Node document on every store read and write.
import { int, obj, oneOf, optStr, str, strArr, strMap, time } from './check.js';

export function validateNode(v: unknown): void {
  const n = obj(v, 'node');
  str(n.id, 'id', { nonEmpty: true });
  int(n.version, 'version', { min: 0 });
  time(n.createdAt, 'createdAt');
  time(n.updatedAt, 'updatedAt');
  const d = obj(n.description, 'description');
  str(d.hostname, 'description.hostname');
  str(d.addr, 'description.addr');
  const p = obj(d.platform, 'description.platform');
  str(p.os, 'description.platform.os');
  str(p.architecture, 'description.platform.architecture');
  const r = obj(d.resources, 'description.resources');
  int(r.nanoCpus, 'description.resources.nanoCpus', { min: 0 });
  int(r.memoryBytes, 'description.resources.memoryBytes', { min: 0 });
  str(d.engineVersion, 'description.engineVersion');
  strMap(d.engineLabels, 'description.engineLabels');
  if (d.tlsInfo !== undefined) {
    const t = obj(d.tlsInfo, 'description.tlsInfo');
    time(t.certNotAfter, 'description.tlsInfo.certNotAfter');
    str(t.issuerKeyDigest, 'description.tlsInfo.issuerKeyDigest');
    strArr(t.trustDigests, 'description.tlsInfo.trustDigests');
  }
  const s = obj(n.spec, 'spec');
  oneOf(s.role, 'spec.role', ['manager', 'worker']);
  oneOf(s.availability, 'spec.availability', ['active', 'pause', 'drain']);
  strMap(s.labels, 'spec.labels');
  const st = obj(n.status, 'status');
  oneOf(st.state, 'status.state', ['unknown', 'ready', 'down', 'disconnected']);
  str(st.message, 'status.message');
  if (st.lastHeartbeat !== undefined) time(st.lastHeartbeat, 'status.lastHeartbeat');
  optStr(n.subnet, 'subnet');
}
