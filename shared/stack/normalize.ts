// Turns one validated, interpolated stack file into the normalised shape `docker stack config`
// prints: short syntaxes expanded (ports, volumes, secrets), env_file folded into environment,
// relative paths made absolute, durations and sizes canonical. Key order follows docker's
// structs (cli/compose/types) so the rendered YAML reads like docker's.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { formatDurationNs, parseBytes, parseDurationNs } from '../units/index.js';
import { parseEnvText } from './env-file.js';
import type { Lookup } from './interpolate.js';
import { parsePortSpec, type ComposePort } from './ports.js';
import type { Path, Problems } from './problems.js';
import { shellSplit } from './shlex.js';
import type { SourceFile } from './source.js';
import { parseVolumeSpec, type ComposeVolume } from './volumes.js';

export type Dict = Record<string, unknown>;

export interface ComposeConfig {
  file: string;
  version: string;
  services: Record<string, Dict>;
  networks: Record<string, Dict>;
  volumes: Record<string, Dict>;
  secrets: Record<string, Dict>;
  configs: Record<string, Dict>;
  extras: Dict;
}

export interface NormalizeContext {
  src: SourceFile;
  workingDir: string;
  lookup: Lookup;
  problems: Problems;
  warnings: string[];
}

/** Keys the stack path ignores (docker's UnsupportedProperties). */
export const unsupportedKeys = [
  'build',
  'cgroupns_mode',
  'cgroup_parent',
  'devices',
  'domainname',
  'external_links',
  'ipc',
  'links',
  'mac_address',
  'network_mode',
  'pid',
  'privileged',
  'restart',
  'security_opt',
  'shm_size',
  'userns_mode',
];
export const deprecatedKeys: Record<string, string> = {
  container_name: 'Setting the container name is not supported.',
  expose:
    "Exposing ports is unnecessary - services on the same network can access each other's containers on any port.",
};
const forbiddenKeys: Record<string, string> = {
  extends: 'Support for `extends` is not implemented yet.',
  volume_driver:
    'define a volume using the top-level `volumes` option and specify the driver there',
  volumes_from: 'share a volume by defining it in the top-level `volumes` option',
  cpu_quota: 'set resource limits using deploy.resources',
  cpu_shares: 'set resource limits using deploy.resources',
  cpuset: 'set resource limits using deploy.resources',
  mem_limit: 'set resource limits using deploy.resources',
  memswap_limit: 'set resource limits using deploy.resources',
};

/** docker refuses these keys before anything else; returns true if any was found. */
export function checkForbidden(src: SourceFile, problems: Problems): boolean {
  const services = src.data.services;
  if (!services || typeof services !== 'object') return false;
  let found = false;
  for (const [name, svc] of Object.entries(services as Dict)) {
    if (!svc || typeof svc !== 'object') continue;
    for (const k of Object.keys(svc as Dict)) {
      if (k in forbiddenKeys) {
        const path = ['services', name, k];
        problems.add(src.positionOf(path), path, `forbidden property: ${forbiddenKeys[k]}`);
        found = true;
      }
    }
  }
  return found;
}

export function composeVersion(data: Dict): string {
  const v = data.version === undefined || data.version === null ? '' : String(data.version);
  return v === '' || v === '3' ? '3.13' : v;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));

/** Go's fmt.Sprint for the scalar types YAML produces. */
function sprint(v: unknown): string {
  if (typeof v === 'number' && !Number.isInteger(v) && Math.abs(v) >= 1e21)
    return v.toExponential();
  return String(v);
}

function set(out: Dict, key: string, value: unknown): void {
  if (value === undefined || value === null || value === '' || value === false) return;
  if (Array.isArray(value) && value.length === 0) return;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return;
  out[key] = value;
}

function sortedObject<T>(entries: [string, T][]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
  return out;
}

function extrasOf(d: Dict): Dict {
  return sortedObject(Object.entries(d).filter(([k]) => k.startsWith('x-')));
}

function stringList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? [v] : (v as unknown[]).map(str);
}

/** list_or_dict → map; `KEY` alone maps to null when allowNil, else to "". */
function mapping(
  v: unknown,
  sep: string,
  allowNil: boolean,
): Record<string, string | null> | undefined {
  if (v === undefined || v === null) return undefined;
  const entries: [string, string | null][] = [];
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = str(item);
      const i = s.indexOf(sep);
      entries.push(i < 0 ? [s, allowNil ? null : ''] : [s.slice(0, i), s.slice(i + sep.length)]);
    }
  } else {
    for (const [k, val] of Object.entries(v as Dict)) {
      entries.push([k, val === null || val === undefined ? (allowNil ? null : '') : sprint(val)]);
    }
  }
  // A later list entry wins, as in a Go map built in order.
  const dedup = new Map(entries);
  return sortedObject([...dedup.entries()]);
}

function hostsList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(str);
  return Object.entries(v as Dict)
    .filter(([, val]) => val !== null && val !== undefined)
    .map(([k, val]) => `${k}:${sprint(val)}`)
    .sort();
}

class Fields {
  constructor(
    private readonly ctx: NormalizeContext,
    private readonly base: Path,
  ) {}

  fail(path: Path, message: string): void {
    const full = [...this.base, ...path];
    this.ctx.problems.add(this.ctx.src.positionOf(full), full, message);
  }

  duration(v: unknown, path: Path): string | undefined {
    if (v === undefined || v === null) return undefined;
    try {
      const s = str(v);
      // Go's time.ParseDuration accepts "0" only; shared/units agrees.
      return formatDurationNs(parseDurationNs(s, 'x'));
    } catch {
      this.fail(path, `invalid duration ${JSON.stringify(str(v))} (use e.g. 10s, 1m30s, 500ms)`);
      return undefined;
    }
  }

  size(v: unknown, path: Path): string | undefined {
    if (v === undefined || v === null) return undefined;
    try {
      return String(parseBytes(typeof v === 'number' ? v : str(v), 'x'));
    } catch {
      this.fail(path, `invalid size ${JSON.stringify(str(v))} (use e.g. 512M, 1.5G, 100k)`);
      return undefined;
    }
  }

  cpus(v: unknown, path: Path): string | undefined {
    if (v === undefined || v === null) return undefined;
    const s = str(v);
    if (!/^(\d+(\.\d*)?|\.\d+)$/.test(s.trim()) || (Number(s) * 1e9) % 1 > 1e-6) {
      this.fail(path, `invalid CPU count ${JSON.stringify(s)} (use e.g. "0.5" or "2")`);
    }
    return s;
  }
}

export function normalizeFile(ctx: NormalizeContext): ComposeConfig {
  const d = ctx.src.data;
  const cfg: ComposeConfig = {
    file: ctx.src.file,
    version: composeVersion(d),
    services: {},
    networks: {},
    volumes: {},
    secrets: {},
    configs: {},
    extras: extrasOf(d),
  };
  for (const [name, svc] of Object.entries((d.services as Dict | null) ?? {})) {
    cfg.services[name] = normalizeService(ctx, name, (svc ?? {}) as Dict);
  }
  for (const [name, n] of Object.entries((d.networks as Dict | null) ?? {})) {
    cfg.networks[name] = normalizeNetwork(ctx, name, (n ?? {}) as Dict);
  }
  for (const [name, v] of Object.entries((d.volumes as Dict | null) ?? {})) {
    cfg.volumes[name] = normalizeVolume(ctx, name, (v ?? {}) as Dict);
  }
  for (const kind of ['secrets', 'configs'] as const) {
    for (const [name, o] of Object.entries((d[kind] as Dict | null) ?? {})) {
      cfg[kind][name] = normalizeFileObject(ctx, kind, name, (o ?? {}) as Dict);
    }
  }
  return cfg;
}

function fileRefs(v: unknown): Dict[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((item) => {
    const o = typeof item === 'string' ? { source: item } : (item as Dict);
    const out: Dict = {};
    for (const k of ['source', 'target', 'uid', 'gid']) set(out, k, o[k]);
    if (typeof o.mode === 'number') out.mode = o.mode;
    return out;
  });
}

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

function normalizeDeploy(f: Fields, v: unknown): Dict | undefined {
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

function resolveBindSource(ctx: NormalizeContext, source: string): string {
  let p = source;
  if (p.startsWith('~')) {
    const home = ctx.lookup('HOME');
    if (home === undefined)
      ctx.warnings.push("cannot expand '~', because the environment lacks HOME");
    else p = p.replace('~', home);
  }
  if (!isAbsolute(p) && !/^[A-Za-z]:[\\/]/.test(p) && !p.startsWith('\\\\')) {
    p = join(ctx.workingDir, p);
    if (p.length > 1) p = p.replace(/\/+$/, '');
  }
  return p;
}

function normalizeService(ctx: NormalizeContext, name: string, s: Dict): Dict {
  const f = new Fields(ctx, ['services', name]);
  const out: Dict = {};
  if (s.build !== undefined) {
    const b = typeof s.build === 'string' ? { context: s.build } : (s.build as Dict);
    const x: Dict = {};
    set(x, 'context', b.context);
    set(x, 'dockerfile', b.dockerfile);
    set(x, 'args', mapping(b.args, '=', true));
    set(x, 'labels', mapping(b.labels, '=', false));
    set(x, 'cache_from', stringList(b.cache_from));
    set(x, 'extra_hosts', hostsList(b.extra_hosts));
    set(x, 'network', b.network);
    set(x, 'target', b.target);
    set(out, 'build', x);
  }
  set(out, 'cap_add', s.cap_add);
  set(out, 'cap_drop', s.cap_drop);
  set(out, 'cgroupns_mode', s.cgroupns_mode);
  set(out, 'cgroup_parent', s.cgroup_parent);
  for (const k of ['command'] as const) set(out, k, command(f, s[k], [k]));
  set(out, 'configs', fileRefs(s.configs));
  set(out, 'container_name', s.container_name);
  if (s.credential_spec) {
    const c = s.credential_spec as Dict;
    const x: Dict = {};
    for (const k of ['config', 'file', 'registry']) set(x, k, c[k]);
    set(out, 'credential_spec', x);
  }
  set(out, 'depends_on', s.depends_on);
  if (s.deploy) set(out, 'deploy', normalizeDeploy(f, s.deploy));
  set(out, 'devices', s.devices);
  set(out, 'dns', stringList(s.dns));
  set(out, 'dns_search', stringList(s.dns_search));
  set(out, 'domainname', s.domainname);
  set(out, 'entrypoint', command(f, s.entrypoint, ['entrypoint']));
  set(out, 'environment', environment(ctx, f, s));
  set(out, 'env_file', stringList(s.env_file));
  set(out, 'expose', Array.isArray(s.expose) ? s.expose.map(sprint) : undefined);
  set(out, 'external_links', s.external_links);
  set(out, 'extra_hosts', hostsList(s.extra_hosts));
  set(out, 'hostname', s.hostname);
  if (s.healthcheck) {
    const h = s.healthcheck as Dict;
    const x: Dict = {};
    if (h.test !== undefined) x.test = typeof h.test === 'string' ? ['CMD-SHELL', h.test] : h.test;
    for (const k of ['timeout', 'interval'] as const)
      set(x, k, f.duration(h[k], ['healthcheck', k]));
    if (typeof h.retries === 'number') x.retries = h.retries;
    for (const k of ['start_period', 'start_interval'] as const)
      set(x, k, f.duration(h[k], ['healthcheck', k]));
    set(x, 'disable', h.disable);
    out.healthcheck = x;
  }
  set(out, 'image', s.image);
  if (typeof s.init === 'boolean') out.init = s.init;
  set(out, 'ipc', s.ipc);
  set(out, 'isolation', s.isolation);
  set(out, 'labels', mapping(s.labels, '=', false));
  set(out, 'links', s.links);
  if (s.logging) {
    const l = s.logging as Dict;
    const x: Dict = {};
    set(x, 'driver', l.driver);
    set(x, 'options', mapping(l.options, '=', false));
    out.logging = x;
  }
  set(out, 'mac_address', s.mac_address);
  set(out, 'network_mode', s.network_mode);
  if (s.networks) {
    const entries: [string, Dict | null][] = Array.isArray(s.networks)
      ? s.networks.map((n) => [str(n), null])
      : Object.entries(s.networks as Dict).map(([k, v]) => {
          if (!v) return [k, null];
          const o = v as Dict;
          const x: Dict = {};
          set(x, 'aliases', o.aliases);
          set(x, 'driver_opts', mapping(o.driver_opts, '=', false));
          set(x, 'ipv4_address', o.ipv4_address);
          set(x, 'ipv6_address', o.ipv6_address);
          return [k, x];
        });
    set(out, 'networks', sortedObject(entries));
  }
  set(out, 'pid', s.pid);
  set(out, 'ports', ports(ctx, f, s.ports));
  for (const k of ['privileged', 'read_only'] as const) set(out, k, s[k]);
  set(out, 'restart', s.restart);
  set(out, 'secrets', fileRefs(s.secrets));
  set(out, 'security_opt', s.security_opt);
  if (s.shm_size !== undefined) set(out, 'shm_size', sprint(s.shm_size));
  set(out, 'stdin_open', s.stdin_open);
  set(out, 'stop_grace_period', f.duration(s.stop_grace_period, ['stop_grace_period']));
  set(out, 'stop_signal', s.stop_signal);
  set(out, 'sysctls', mapping(s.sysctls, '=', false));
  set(out, 'tmpfs', stringList(s.tmpfs));
  set(out, 'tty', s.tty);
  if (s.ulimits) {
    const x: Dict = {};
    for (const [k, v] of Object.entries(s.ulimits as Dict)) {
      x[k] = typeof v === 'number' ? v : { soft: (v as Dict).soft, hard: (v as Dict).hard };
    }
    set(out, 'ulimits', sortedObject(Object.entries(x)));
  }
  set(out, 'user', s.user);
  set(out, 'userns_mode', s.userns_mode);
  set(out, 'volumes', serviceVolumes(ctx, f, s.volumes));
  set(out, 'working_dir', s.working_dir);
  Object.assign(out, extrasOf(s));
  return out;
}

function command(f: Fields, v: unknown, path: Path): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(str);
  try {
    return shellSplit(str(v));
  } catch (err) {
    f.fail(path, (err as Error).message);
    return undefined;
  }
}

function environment(ctx: NormalizeContext, f: Fields, s: Dict): Dict | undefined {
  const env: Record<string, string | null> = {};
  const update = (vars: Record<string, string | null>) => {
    for (const [k, v] of Object.entries(vars)) {
      const fromEnv = ctx.lookup(k);
      env[k] = (v === null || v === '') && fromEnv !== undefined ? fromEnv : v;
    }
  };
  const files = stringList(s.env_file) ?? [];
  if (files.length > 0) {
    const vars: Record<string, string | null> = {};
    files.forEach((file, i) => {
      const p = isAbsolute(file) ? file : resolve(ctx.workingDir, file);
      try {
        for (const e of parseEnvText(readFileSync(p, 'utf8'))) vars[e.key] = e.value ?? null;
      } catch (err) {
        const path = typeof s.env_file === 'string' ? ['env_file'] : ['env_file', i];
        const reason =
          (err as NodeJS.ErrnoException).code === 'ENOENT'
            ? 'no such file'
            : (err as Error).message;
        f.fail(path, `cannot read env file ${p}: ${reason}`);
      }
    });
    update(vars);
  }
  update(mapping(s.environment, '=', true) ?? {});
  return Object.keys(env).length ? sortedObject(Object.entries(env)) : undefined;
}

function ports(ctx: NormalizeContext, f: Fields, v: unknown): ComposePort[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: ComposePort[] = [];
  v.forEach((item, i) => {
    if (typeof item === 'number' || typeof item === 'string') {
      try {
        out.push(...parsePortSpec(String(item), ctx.warnings));
      } catch (err) {
        f.fail(
          ['ports', i],
          `invalid port ${JSON.stringify(String(item))}: ${(err as Error).message}`,
        );
      }
      return;
    }
    const o = item as Dict;
    const p: ComposePort = {};
    set(p as Dict, 'mode', o.mode);
    for (const k of ['target', 'published'] as const) {
      const n = o[k];
      if (typeof n === 'number') {
        if (n < 0 || n > 65535) f.fail(['ports', i, k], `port ${n} is out of range 0-65535`);
        else if (n !== 0) p[k] = n;
      }
    }
    set(p as Dict, 'protocol', o.protocol);
    if (o.mode !== undefined && !['ingress', 'host'].includes(str(o.mode)))
      f.fail(['ports', i, 'mode'], `expected ingress or host, got ${JSON.stringify(o.mode)}`);
    if (o.protocol !== undefined && !['tcp', 'udp', 'sctp'].includes(str(o.protocol)))
      f.fail(
        ['ports', i, 'protocol'],
        `expected tcp, udp or sctp, got ${JSON.stringify(o.protocol)}`,
      );
    out.push(p);
  });
  return out;
}

function serviceVolumes(ctx: NormalizeContext, f: Fields, v: unknown): ComposeVolume[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: ComposeVolume[] = [];
  v.forEach((item, i) => {
    let vol: ComposeVolume;
    if (typeof item === 'string') {
      try {
        vol = parseVolumeSpec(item);
      } catch (err) {
        f.fail(['volumes', i], (err as Error).message);
        return;
      }
    } else {
      const o = item as Dict;
      vol = {};
      const x = vol as Dict;
      for (const k of ['type', 'source', 'target', 'read_only', 'consistency']) set(x, k, o[k]);
      if (o.bind) set(x, 'bind', { ...(o.bind as Dict) });
      if (o.volume) set(x, 'volume', { ...(o.volume as Dict) });
      if (o.tmpfs) set(x, 'tmpfs', { ...(o.tmpfs as Dict) });
      if (
        o.type !== undefined &&
        !['bind', 'volume', 'tmpfs', 'npipe', 'cluster'].includes(str(o.type))
      )
        f.fail(
          ['volumes', i, 'type'],
          `expected bind, volume or tmpfs, got ${JSON.stringify(o.type)}`,
        );
    }
    if (vol.type === 'bind') {
      if (!vol.source) {
        f.fail(
          ['volumes', i],
          'invalid mount config for type "bind": field Source must not be empty',
        );
        return;
      }
      vol.source = resolveBindSource(ctx, vol.source);
    }
    out.push(vol);
  });
  return out;
}

function externalOf(o: Dict): { external: boolean; name?: string } {
  const e = o.external;
  if (e && typeof e === 'object') return { external: true, name: (e as Dict).name as string };
  return { external: e === true };
}

function normalizeNetwork(ctx: NormalizeContext, name: string, n: Dict): Dict {
  const out: Dict = {};
  const ext = externalOf(n);
  let netName = n.name as string | undefined;
  if (ext.external) {
    if (ext.name) {
      if (netName) {
        ctx.problems.add(
          ctx.src.positionOf(['networks', name]),
          ['networks', name],
          'network.external.name and network.name conflict; only use network.name',
        );
      }
      ctx.warnings.push(
        `network ${name}: network.external.name is deprecated in favor of network.name`,
      );
      netName = ext.name;
    } else if (!netName) netName = name;
  }
  set(out, 'name', netName);
  set(out, 'driver', n.driver);
  set(out, 'driver_opts', mapping(n.driver_opts, '=', false));
  if (n.ipam) {
    const ipam = n.ipam as Dict;
    const x: Dict = {};
    set(x, 'driver', ipam.driver);
    set(x, 'config', ipam.config);
    set(out, 'ipam', x);
  }
  set(out, 'external', ext.external);
  set(out, 'internal', n.internal);
  set(out, 'attachable', n.attachable);
  set(out, 'labels', mapping(n.labels, '=', false));
  // docker keeps x- fields only on external networks (a quirk of its loader).
  if (ext.external) Object.assign(out, extrasOf(n));
  return out;
}

function normalizeVolume(ctx: NormalizeContext, name: string, v: Dict): Dict {
  const out: Dict = {};
  const ext = externalOf(v);
  let volName = v.name as string | undefined;
  const path = ['volumes', name];
  if (ext.external) {
    for (const k of ['driver', 'driver_opts', 'labels']) {
      if (v[k] !== undefined)
        ctx.problems.add(
          ctx.src.positionOf([...path, k]),
          path,
          `conflicting parameters "external" and "${k}" specified for volume "${name}"`,
        );
    }
    if (ext.name) {
      if (volName)
        ctx.problems.add(
          ctx.src.positionOf(path),
          path,
          'volume.external.name and volume.name conflict; only use volume.name',
        );
      ctx.warnings.push(
        `volume ${name}: volume.external.name is deprecated in favor of volume.name`,
      );
      volName = ext.name;
    } else if (!volName) volName = name;
  }
  set(out, 'name', volName);
  set(out, 'driver', v.driver);
  set(out, 'driver_opts', mapping(v.driver_opts, '=', false));
  set(out, 'external', ext.external);
  set(out, 'labels', mapping(v.labels, '=', false));
  if (ext.external) Object.assign(out, extrasOf(v));
  if (v['x-cluster-spec'])
    out['x-cluster-spec'] = clusterSpec(new Fields(ctx, path), v['x-cluster-spec'] as Dict);
  return out;
}

function clusterSpec(f: Fields, c: Dict): Dict {
  const out: Dict = {};
  set(out, 'group', c.group);
  if (c.access_mode) {
    const a = c.access_mode as Dict;
    const x: Dict = {};
    set(x, 'scope', a.scope);
    set(x, 'sharing', a.sharing);
    if (a.mount_volume) x.mount_volume = a.mount_volume;
    if (a.block_volume) x.block_volume = {};
    out.access_mode = x;
  }
  if (c.accessibility_requirements) {
    const r = c.accessibility_requirements as Dict;
    const x: Dict = {};
    for (const k of ['requisite', 'preferred']) {
      if (Array.isArray(r[k]))
        x[k] = (r[k] as Dict[]).map((t) => ({ segments: mapping(t.segments, '=', false) }));
    }
    out.accessibility_requirements = x;
  }
  if (c.capacity_range) {
    const r = c.capacity_range as Dict;
    const x: Dict = {};
    const p = ['x-cluster-spec', 'capacity_range'];
    set(x, 'required_bytes', f.size(r.required_bytes, [...p, 'required_bytes']));
    set(x, 'limit_bytes', f.size(r.limit_bytes, [...p, 'limit_bytes']));
    out.capacity_range = x;
  }
  set(out, 'secrets', c.secrets);
  set(out, 'availability', c.availability);
  return out;
}

function normalizeFileObject(
  ctx: NormalizeContext,
  kind: 'secrets' | 'configs',
  name: string,
  o: Dict,
): Dict {
  const out: Dict = {};
  const ext = externalOf(o);
  const single = kind === 'secrets' ? 'secret' : 'config';
  const path = [kind, name];
  let objName = o.name as string | undefined;
  let file = o.file as string | undefined;
  if (ext.external) {
    if (ext.name) {
      if (objName)
        ctx.problems.add(
          ctx.src.positionOf(path),
          path,
          `${single}.external.name and ${single}.name conflict; only use ${single}.name`,
        );
      ctx.warnings.push(
        `${single} ${name}: ${single}.external.name is deprecated in favor of ${single}.name`,
      );
      objName = ext.name;
    } else if (!objName) objName = name;
  } else if (o.driver) {
    if (file)
      ctx.problems.add(
        ctx.src.positionOf(path),
        path,
        `${single}.driver and ${single}.file conflict; only use ${single}.driver`,
      );
  } else {
    file = isAbsolute(file ?? '') ? file : join(ctx.workingDir, file ?? '');
  }
  set(out, 'name', objName);
  set(out, 'file', file);
  set(out, 'external', ext.external);
  set(out, 'labels', mapping(o.labels, '=', false));
  Object.assign(out, extrasOf(o));
  set(out, 'driver', o.driver);
  set(out, 'driver_opts', mapping(o.driver_opts, '=', false));
  set(out, 'template_driver', o.template_driver);
  return out;
}
