// Normalises a service's `deploy` section: mode, replicas, update/rollback config, resources,
// restart policy, placement and endpoint mode, with docker's omitempty and enum checks.
import type { Dict } from './compose-types.js';
import type { Fields } from './normalize-units.js';
import { mapping, set, str } from './normalize-values.js';
import type { Path } from './problems.js';

function updateConfig(f: Fields, v: unknown, path: Path): Dict | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Dict;
  const out: Dict = {};
  if (typeof o.parallelism === 'number') out.parallelism = o.parallelism;
  const delay = f.duration(o.delay, [...path, 'delay']);
  if (delay !== '0s') set(out, 'delay', delay);
  set(out, 'failure_action', o.failure_action);
  const monitor = f.duration(o.monitor, [...path, 'monitor']);
  if (monitor !== '0s') set(out, 'monitor', monitor);
  if (typeof o.max_failure_ratio === 'number' && o.max_failure_ratio !== 0)
    out.max_failure_ratio = o.max_failure_ratio;
  set(out, 'order', o.order);
  return out;
}

export function normalizeDeploy(f: Fields, v: unknown): Dict | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Dict;
  const out: Dict = {};
  set(out, 'mode', o.mode);
  if (o.mode !== undefined && !['replicated', 'global'].includes(str(o.mode))) {
    f.fail(['deploy', 'mode'], `expected "replicated" or "global", got ${JSON.stringify(o.mode)}`);
  }
  if (typeof o.replicas === 'number') {
    if (o.replicas < 0)
      f.fail(['deploy', 'replicas'], `expected a non-negative integer, got ${o.replicas}`);
    out.replicas = o.replicas;
  }
  set(out, 'labels', mapping(o.labels, '=', false));
  if (o.update_config)
    out.update_config = updateConfig(f, o.update_config, ['deploy', 'update_config']);
  if (o.rollback_config)
    out.rollback_config = updateConfig(f, o.rollback_config, ['deploy', 'rollback_config']);
  const res = o.resources as Dict | undefined;
  if (res) {
    const r: Dict = {};
    for (const kind of ['limits', 'reservations'] as const) {
      const src = res[kind] as Dict | undefined;
      if (!src) continue;
      const p = ['deploy', 'resources', kind];
      const x: Dict = {};
      set(x, 'cpus', f.cpus(src.cpus, [...p, 'cpus']));
      const mem = f.size(src.memory, [...p, 'memory']);
      if (mem !== '0') set(x, 'memory', mem);
      if (kind === 'limits' && typeof src.pids === 'number' && src.pids !== 0) x.pids = src.pids;
      if (kind === 'reservations') set(x, 'generic_resources', src.generic_resources);
      r[kind] = x;
    }
    set(out, 'resources', r);
  }
  const rp = o.restart_policy as Dict | undefined;
  if (rp) {
    const x: Dict = {};
    const p = ['deploy', 'restart_policy'];
    set(x, 'condition', rp.condition);
    if (rp.condition !== undefined && !['none', 'on-failure', 'any'].includes(str(rp.condition))) {
      f.fail(
        [...p, 'condition'],
        `expected none, on-failure or any, got ${JSON.stringify(rp.condition)}`,
      );
    }
    set(x, 'delay', f.duration(rp.delay, [...p, 'delay']));
    if (typeof rp.max_attempts === 'number') x.max_attempts = rp.max_attempts;
    set(x, 'window', f.duration(rp.window, [...p, 'window']));
    out.restart_policy = x;
  }
  const pl = o.placement as Dict | undefined;
  if (pl) {
    const x: Dict = {};
    set(x, 'constraints', pl.constraints);
    set(x, 'preferences', pl.preferences);
    if (typeof pl.max_replicas_per_node === 'number' && pl.max_replicas_per_node !== 0)
      x.max_replicas_per_node = pl.max_replicas_per_node;
    set(out, 'placement', x);
  }
  set(out, 'endpoint_mode', o.endpoint_mode);
  if (o.endpoint_mode !== undefined && !['vip', 'dnsrr'].includes(str(o.endpoint_mode))) {
    f.fail(
      ['deploy', 'endpoint_mode'],
      `expected vip or dnsrr, got ${JSON.stringify(o.endpoint_mode)}`,
    );
  }
  return out;
}
