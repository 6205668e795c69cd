// Checks a service (and its spec) field by field. The API uses validateServiceSpec for a clear 400
// naming the field; the store uses validateService on every read and write.
import {
  arr,
  bool,
  fail,
  int,
  num,
  obj,
  oneOf,
  optInt,
  optStr,
  str,
  strArr,
  strMap,
  time,
  type Obj,
} from './check.js';
import { fileReferences } from './secret.js';
import { validateLogDriver } from '../../../shared/engine/index.js';
import { containerRuntime, mountOptions } from './container-runtime.js';

const serviceName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const constraint = /^\s*[A-Za-z0-9_.-]+\s*(==|!=)\s*\S.*$/;

export function validateServiceSpec(v: unknown, f = 'spec'): void {
  const s = obj(v, f);
  const name = str(s.name, `${f}.name`, { nonEmpty: true });
  if (!serviceName.test(name))
    fail(`${f}.name`, 'must start with a letter or digit and hold only [a-zA-Z0-9_.-] (max 63)');
  strMap(s.labels, `${f}.labels`);
  const mode = obj(s.mode, `${f}.mode`);
  if ('replicated' in mode && 'global' in mode)
    fail(`${f}.mode`, 'must be either replicated or global, not both');
  if ('replicated' in mode) {
    const r = obj(mode.replicated, `${f}.mode.replicated`);
    int(r.replicas, `${f}.mode.replicated.replicas`, { min: 0, max: 100_000 });
  } else if ('global' in mode) obj(mode.global, `${f}.mode.global`);
  else fail(`${f}.mode`, 'must be {replicated: {replicas}} or {global: {}}');
  taskTemplate(s.taskTemplate, `${f}.taskTemplate`);
  updateConfig(s.updateConfig, `${f}.updateConfig`);
  updateConfig(s.rollbackConfig, `${f}.rollbackConfig`);
  const e = obj(s.endpointSpec, `${f}.endpointSpec`);
  oneOf(e.mode, `${f}.endpointSpec.mode`, ['vip', 'dnsrr']);
  const ports = arr(e.ports, `${f}.endpointSpec.ports`, port);
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const q = p as Obj;
    if (!q.published) return;
    const k = `${q.published}/${q.protocol}`;
    if (seen.has(k))
      fail(`${f}.endpointSpec.ports[${i}].published`, `port ${k} is published twice`);
    seen.add(k);
  });
}

export function port(v: unknown, f: string): void {
  const p = obj(v, f);
  int(p.target, `${f}.target`, { min: 1, max: 65535 });
  optInt(p.published, `${f}.published`, { min: 0, max: 65535 });
  oneOf(p.protocol, `${f}.protocol`, ['tcp', 'udp']);
  oneOf(p.mode, `${f}.mode`, ['ingress', 'host']);
}

function taskTemplate(v: unknown, f: string): void {
  const t = obj(v, f);
  const c = obj(t.containerSpec, `${f}.containerSpec`);
  str(c.image, `${f}.containerSpec.image`, { nonEmpty: true });
  if (/\s/.test(c.image as string)) fail(`${f}.containerSpec.image`, 'must not contain spaces');
  if (c.command !== undefined) strArr(c.command, `${f}.containerSpec.command`);
  if (c.args !== undefined) strArr(c.args, `${f}.containerSpec.args`);
  arr(c.env, `${f}.containerSpec.env`, (e, ef) => {
    if (!str(e, ef).length || (e as string).startsWith('=')) fail(ef, 'must be NAME=value or NAME');
  });
  strMap(c.labels, `${f}.containerSpec.labels`);
  for (const k of ['dir', 'user', 'hostname', 'stopSignal'] as const)
    optStr(c[k], `${f}.containerSpec.${k}`);
  optInt(c.stopGracePeriodNs, `${f}.containerSpec.stopGracePeriodNs`, { min: 0 });
  bool(c.readOnly, `${f}.containerSpec.readOnly`);
  bool(c.init, `${f}.containerSpec.init`);
  if (c.logDriver !== undefined) logDriver(c.logDriver, `${f}.containerSpec.logDriver`);
  containerRuntime(c, `${f}.containerSpec`);
  arr(c.mounts, `${f}.containerSpec.mounts`, mount);
  if (c.healthcheck !== undefined) health(c.healthcheck, `${f}.containerSpec.healthcheck`);
  fileReferences(c.secrets, `${f}.containerSpec.secrets`);
  fileReferences(c.configs, `${f}.containerSpec.configs`);
  const r = obj(t.resources, `${f}.resources`);
  resources(r.limits, `${f}.resources.limits`);
  resources(r.reservations, `${f}.resources.reservations`);
  const rp = obj(t.restartPolicy, `${f}.restartPolicy`);
  oneOf(rp.condition, `${f}.restartPolicy.condition`, ['none', 'on-failure', 'any']);
  int(rp.delayNs, `${f}.restartPolicy.delayNs`, { min: 0 });
  int(rp.maxAttempts, `${f}.restartPolicy.maxAttempts`, { min: 0 });
  int(rp.windowNs, `${f}.restartPolicy.windowNs`, { min: 0 });
  const pl = obj(t.placement, `${f}.placement`);
  arr(pl.constraints, `${f}.placement.constraints`, (c2, cf) => {
    if (!constraint.test(str(c2, cf)))
      fail(cf, `"${String(c2)}" must look like node.labels.zone==a (operators == and !=)`);
  });
  arr(pl.preferences, `${f}.placement.preferences`, (p, pf) => {
    str(obj(p, pf).spread, `${pf}.spread`, { nonEmpty: true });
  });
  int(pl.maxReplicasPerNode, `${f}.placement.maxReplicasPerNode`, { min: 0 });
  arr(t.networks, `${f}.networks`, attachment);
  int(t.forceUpdate, `${f}.forceUpdate`, { min: 0 });
}

/** Names and options as every entry point checks them (shared/engine/log-drivers.ts). */
function logDriver(v: unknown, f: string): void {
  const l = obj(v, f);
  str(l.name, `${f}.name`);
  if (l.options !== undefined) strMap(l.options, `${f}.options`);
  if (l.name) validateLogDriver(l.name as string, l.options as Record<string, string> | undefined);
}

function mount(v: unknown, f: string): void {
  const m = obj(v, f);
  const type = oneOf(m.type, `${f}.type`, ['bind', 'volume', 'tmpfs']);
  const target = str(m.target, `${f}.target`, { nonEmpty: true });
  if (!target.startsWith('/')) fail(`${f}.target`, 'must be an absolute path');
  const source = optStr(m.source, `${f}.source`);
  if (type === 'bind' && !source?.startsWith('/'))
    fail(`${f}.source`, 'a bind mount needs an absolute source path');
  bool(m.readOnly, `${f}.readOnly`);
  optInt(m.tmpfsSizeBytes, `${f}.tmpfsSizeBytes`, { min: 0 });
  mountOptions(m, f);
}

function health(v: unknown, f: string): void {
  const h = obj(v, f);
  const test = strArr(h.test, `${f}.test`);
  if (!['CMD', 'CMD-SHELL', 'NONE'].includes(test[0] ?? ''))
    fail(`${f}.test`, 'must start with CMD, CMD-SHELL or NONE');
  for (const k of [
    'intervalNs',
    'timeoutNs',
    'startPeriodNs',
    'startIntervalNs',
    'retries',
  ] as const)
    optInt(h[k], `${f}.${k}`, { min: 0 });
}

function resources(v: unknown, f: string): void {
  const r = obj(v, f);
  optInt(r.nanoCpus, `${f}.nanoCpus`, { min: 0 });
  optInt(r.memoryBytes, `${f}.memoryBytes`, { min: 0 });
  optInt(r.pids, `${f}.pids`, { min: 0 });
}

function updateConfig(v: unknown, f: string): void {
  const u = obj(v, f);
  int(u.parallelism, `${f}.parallelism`, { min: 0 });
  int(u.delayNs, `${f}.delayNs`, { min: 0 });
  oneOf(u.failureAction, `${f}.failureAction`, ['pause', 'continue', 'rollback']);
  int(u.monitorNs, `${f}.monitorNs`, { min: 0 });
  num(u.maxFailureRatio, `${f}.maxFailureRatio`, { min: 0, max: 1 });
  oneOf(u.order, `${f}.order`, ['stop-first', 'start-first']);
}

export function validateService(v: unknown): void {
  const s = obj(v, 'service');
  str(s.id, 'id', { nonEmpty: true });
  int(s.version, 'version', { min: 0 });
  time(s.createdAt, 'createdAt');
  time(s.updatedAt, 'updatedAt');
  validateServiceSpec(s.spec, 'spec');
  if (s.previousSpec !== undefined) validateServiceSpec(s.previousSpec, 'previousSpec');
  if (s.updateStatus !== undefined) {
    const u = obj(s.updateStatus, 'updateStatus');
    oneOf(u.state, 'updateStatus.state', [
      'updating',
      'paused',
      'completed',
      'rollback_started',
      'rollback_paused',
      'rollback_completed',
    ]);
    str(u.message, 'updateStatus.message');
  }
  if (s.registryAuth !== undefined) {
    const a = obj(s.registryAuth, 'registryAuth');
    for (const k of ['id', 'registry', 'keyId', 'sealed'])
      str(a[k], `registryAuth.${k}`, { nonEmpty: true });
  }
  if (s.endpoint !== undefined) {
    const e = obj(s.endpoint, 'endpoint');
    arr(e.ports, 'endpoint.ports', port);
    if (e.virtualIps !== undefined)
      arr(e.virtualIps, 'endpoint.virtualIps', (v, f) => {
        str(obj(v, f).networkId, `${f}.networkId`, { nonEmpty: true });
        str(obj(v, f).address, `${f}.address`, { nonEmpty: true });
      });
  }
}

/** A service's network attachment: `{ target, aliases? }` (aliases: DNS names). */
function attachment(v: unknown, f: string): void {
  const a = obj(v, f);
  str(a.target, `${f}.target`, { nonEmpty: true });
  if (a.aliases !== undefined)
    strArr(a.aliases, `${f}.aliases`).forEach((x, i) => {
      if (!isDnsName(x)) fail(`${f}.aliases[${i}]`, `"${x}" is not a DNS name`);
    });
}

/** A DNS name as a network alias must be: labels of letters, digits and inner hyphens. */
export function isDnsName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 253 &&
    name.split('.').every((l) => /^[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/.test(l))
  );
}
