// Merges normalised stack files in order, as docker does (cli/compose/loader/merge.go): scalars
// and mappings of a later file override, most lists are appended, and ports, volumes, secrets and
// configs are merged by identity (whole port, target, source). command/entrypoint are replaced.
// Top-level networks/volumes/secrets/configs are replaced per name; x- fields come from the
// first file only.
import type { ComposeConfig, Dict } from './compose-types.js';

const byKey =
  (key: (x: Dict) => string, sortKey: (x: Dict) => string | number) =>
  (base: Dict[], over: Dict[]): Dict[] => {
    const m = new Map<string, Dict>();
    for (const x of [...base, ...over]) m.set(key(x), x);
    return [...m.values()].sort((a, b) => {
      const ka = sortKey(a);
      const kb = sortKey(b);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  };

const listMergers: Record<string, (base: Dict[], over: Dict[]) => Dict[]> = {
  ports: byKey(
    (p) => JSON.stringify([p.mode, p.target, p.published, p.protocol]),
    (p) => Number(p.published ?? 0),
  ),
  volumes: byKey(
    (v) => String(v.target ?? ''),
    (v) => String(v.target ?? ''),
  ),
  secrets: byKey(
    (s) => String(s.source ?? ''),
    (s) => String(s.source ?? ''),
  ),
  configs: byKey(
    (s) => String(s.source ?? ''),
    (s) => String(s.source ?? ''),
  ),
};
const replaced = new Set(['command', 'entrypoint']);

function isDict(v: unknown): v is Dict {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function mergeValue(key: string, base: unknown, over: unknown, top: boolean): unknown {
  if (over === undefined) return base;
  if (base === undefined) return over;
  if (Array.isArray(base) && Array.isArray(over)) {
    if (top && listMergers[key]) return listMergers[key](base as Dict[], over as Dict[]);
    if (top && replaced.has(key)) return over.length ? over : base;
    return [...base, ...over];
  }
  if (isDict(base) && isDict(over)) {
    if (top && key === 'networks') {
      const out: Dict = { ...base };
      for (const [k, v] of Object.entries(over)) {
        if (v === null || out[k] === undefined || out[k] === null) out[k] = v ?? out[k] ?? null;
        else {
          const b = out[k] as Dict;
          const o = v as Dict;
          out[k] = {
            ...b,
            ...(o.aliases ? { aliases: o.aliases } : {}),
            ...Object.fromEntries(Object.entries(o).filter(([kk]) => kk !== 'aliases')),
          };
        }
      }
      return sortKeys(out);
    }
    if (top && key === 'ulimits') return sortKeys({ ...base, ...over });
    if (top && key === 'logging' && base.driver && over.driver && base.driver !== over.driver)
      return over;
    const out: Dict = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = mergeValue(k, out[k], v, false);
    return isMapLike(key) ? sortKeys(out) : out;
  }
  return over;
}

const mapLike = new Set(['environment', 'labels', 'sysctls', 'options', 'args', 'driver_opts']);
const isMapLike = (k: string) => mapLike.has(k);
const sortKeys = (d: Dict): Dict =>
  Object.fromEntries(Object.entries(d).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Re-orders a merged service's keys to the order of a normalised one (docker's struct order). */
function orderLike(keysInOrder: string[], d: Dict): Dict {
  const out: Dict = {};
  for (const k of keysInOrder) if (k in d) out[k] = d[k];
  for (const k of Object.keys(d)) if (!(k in out)) out[k] = d[k];
  return out;
}

export const serviceKeyOrder = [
  'build',
  'cap_add',
  'cap_drop',
  'cgroupns_mode',
  'cgroup_parent',
  'command',
  'configs',
  'container_name',
  'credential_spec',
  'depends_on',
  'deploy',
  'devices',
  'dns',
  'dns_opt',
  'dns_search',
  'domainname',
  'entrypoint',
  'environment',
  'env_file',
  'expose',
  'external_links',
  'extra_hosts',
  'group_add',
  'hostname',
  'healthcheck',
  'image',
  'init',
  'ipc',
  'isolation',
  'labels',
  'links',
  'logging',
  'mac_address',
  'network_mode',
  'networks',
  'pid',
  'ports',
  'privileged',
  'read_only',
  'restart',
  'secrets',
  'security_opt',
  'shm_size',
  'stdin_open',
  'stop_grace_period',
  'stop_signal',
  'sysctls',
  'tmpfs',
  'tty',
  'ulimits',
  'user',
  'userns_mode',
  'volumes',
  'working_dir',
];

export function mergeConfigs(configs: ComposeConfig[]): ComposeConfig {
  const [first, ...rest] = configs;
  const out: ComposeConfig = { ...first, services: { ...first.services } };
  for (const c of rest) {
    for (const [name, svc] of Object.entries(c.services)) {
      const base = out.services[name];
      if (!base) {
        out.services[name] = svc;
        continue;
      }
      const merged: Dict = { ...base };
      for (const [k, v] of Object.entries(svc)) merged[k] = mergeValue(k, merged[k], v, true);
      const x = Object.keys(merged)
        .filter((k) => k.startsWith('x-'))
        .sort();
      out.services[name] = orderLike([...serviceKeyOrder, ...x], merged);
    }
    for (const kind of ['networks', 'volumes', 'secrets', 'configs'] as const) {
      out[kind] = { ...out[kind], ...c[kind] };
    }
  }
  out.services = sortKeys(out.services) as Record<string, Dict>;
  for (const kind of ['networks', 'volumes', 'secrets', 'configs'] as const) {
    out[kind] = sortKeys(out[kind]) as Record<string, Dict>;
  }
  return out;
}
