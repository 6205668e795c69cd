// Normalises one service: docker's ServiceConfig fields in its struct order, short syntaxes
// expanded, maps sorted; deploy, environment, ports and volumes have modules of their own.
import type { Dict, NormalizeContext } from './compose-types.js';
import { normalizeDeploy } from './normalize-deploy.js';
import { environment } from './normalize-environment.js';
import { serviceVolumes } from './normalize-mounts.js';
import { servicePorts } from './normalize-ports.js';
import { checkRuntimeKeys } from './normalize-runtime.js';
import { Fields } from './normalize-units.js';
import {
  extrasOf,
  hostsList,
  mapping,
  set,
  sortedObject,
  sprint,
  str,
  stringList,
} from './normalize-values.js';
import type { Path } from './problems.js';
import { shellSplit } from './shlex.js';

export function normalizeService(ctx: NormalizeContext, name: string, s: Dict): Dict {
  const f = new Fields(ctx, ['services', name]);
  const out: Dict = {};
  checkRuntimeKeys(f, s);
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
  set(out, 'dns_opt', stringList(s.dns_opt));
  set(out, 'dns_search', stringList(s.dns_search));
  set(out, 'domainname', s.domainname);
  set(out, 'entrypoint', command(f, s.entrypoint, ['entrypoint']));
  set(out, 'environment', environment(ctx, f, s));
  set(out, 'env_file', stringList(s.env_file));
  set(out, 'expose', Array.isArray(s.expose) ? s.expose.map(sprint) : undefined);
  set(out, 'external_links', s.external_links);
  set(out, 'extra_hosts', hostsList(s.extra_hosts));
  set(out, 'group_add', stringList(s.group_add));
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
  set(out, 'ports', servicePorts(ctx, f, s.ports));
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
