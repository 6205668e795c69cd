// What `stack deploy` checks on the whole merged stack before anything is sent: something to run
// for every service, references to declared networks/secrets/configs/volumes, modes that agree,
// CPU counts and other numbers in range. `docker stack config` accepts these files, so the loader
// reports them separately (deploy refuses, config warns). depends_on cycles are only warned about.
import type { ComposeConfig, Dict } from './compose-types.js';
import { formatPath, type Path, type Position, type Problem } from './problems.js';
import type { SourceFile } from './source.js';

/** The manager's limit (manager/store/validate/service.ts), checked here to name the line. */
export const MAX_REPLICAS = 100_000;
/** More CPUs than any machine has; also keeps nano-CPUs a safe integer. */
export const MAX_CPUS = 1_000_000;

export interface DeployFindings {
  problems: Problem[];
  warnings: string[];
}

export function checkDeployable(cfg: ComposeConfig, sources: SourceFile[]): DeployFindings {
  const out: DeployFindings = { problems: [], warnings: [] };
  const at = locator(sources);
  const fail = (path: Path, message: string) =>
    out.problems.push({ pos: at(path), path: formatPath(path), message });
  const names = Object.keys(cfg.services);
  if (names.length === 0) fail([], 'the stack defines no services');
  for (const name of names) checkService(cfg, name, cfg.services[name], fail);
  out.warnings.push(...dependencyWarnings(cfg));
  return out;
}

type Fail = (path: Path, message: string) => void;

function checkService(cfg: ComposeConfig, name: string, s: Dict, fail: Fail): void {
  const p: Path = ['services', name];
  if (typeof s.image !== 'string' || s.image.trim() === '') {
    fail(
      p,
      s.build
        ? 'no image: stack deploy does not build images; build and push one, then set image'
        : 'no image: every service needs an image (or a build, which stack deploy ignores)',
    );
  }
  const declared = (kind: 'networks' | 'secrets' | 'configs' | 'volumes', key: string) =>
    Object.hasOwn(cfg[kind], key);
  for (const net of Object.keys((s.networks as Dict) ?? {})) {
    if (net !== 'default' && !declared('networks', net))
      fail([...p, 'networks', net], `undeclared network "${net}": declare it under networks:`);
  }
  for (const kind of ['secrets', 'configs'] as const) {
    ((s[kind] as Dict[]) ?? []).forEach((ref, i) => {
      const src = String(ref.source ?? '');
      if (!declared(kind, src))
        fail(
          [...p, kind, i],
          `undeclared ${kind.slice(0, -1)} "${src}": declare it under ${kind}:`,
        );
    });
  }
  ((s.volumes as Dict[]) ?? []).forEach((m, i) => {
    if (m.type === 'volume' && typeof m.source === 'string' && m.source !== '') {
      if (!declared('volumes', m.source))
        fail([...p, 'volumes', i], `undeclared volume "${m.source}": declare it under volumes:`);
    }
  });
  checkDeploy((s.deploy as Dict) ?? {}, [...p, 'deploy'], fail);
}

function checkDeploy(d: Dict, p: Path, fail: Fail): void {
  if (d.mode === 'global' && d.replicas !== undefined)
    fail([...p, 'replicas'], 'replicas cannot be used with mode: global (one task per node)');
  if (typeof d.replicas === 'number' && d.replicas > MAX_REPLICAS)
    fail([...p, 'replicas'], `${d.replicas} replicas is more than the limit of ${MAX_REPLICAS}`);
  const res = (d.resources as Dict) ?? {};
  for (const kind of ['limits', 'reservations']) {
    const cpus = ((res[kind] as Dict) ?? {}).cpus;
    if (cpus === undefined) continue;
    const n = Number(cpus);
    if (!(n > 0) || n > MAX_CPUS)
      fail(
        [...p, 'resources', kind, 'cpus'],
        `cpus must be a positive number of CPUs up to ${MAX_CPUS}, got ${JSON.stringify(cpus)}`,
      );
  }
  const nonNegative: [Path, unknown][] = [
    [['placement', 'max_replicas_per_node'], (d.placement as Dict)?.max_replicas_per_node],
    [['restart_policy', 'max_attempts'], (d.restart_policy as Dict)?.max_attempts],
    [['update_config', 'parallelism'], (d.update_config as Dict)?.parallelism],
    [['rollback_config', 'parallelism'], (d.rollback_config as Dict)?.parallelism],
  ];
  for (const [sub, v] of nonNegative)
    if (typeof v === 'number' && v < 0) fail([...p, ...sub], `must not be negative, got ${v}`);
  for (const k of ['update_config', 'rollback_config']) {
    const r = ((d[k] as Dict) ?? {}).max_failure_ratio;
    if (typeof r === 'number' && !(r >= 0 && r <= 1))
      fail([...p, k, 'max_failure_ratio'], `must be between 0 and 1, got ${r}`);
  }
}

/** One warning per depends_on cycle and per dependency on a service the stack lacks. */
function dependencyWarnings(cfg: ComposeConfig): string[] {
  const deps = new Map<string, string[]>();
  for (const [name, s] of Object.entries(cfg.services))
    deps.set(name, ((s.depends_on as string[]) ?? []).map(String));
  const warnings: string[] = [];
  for (const [name, list] of deps)
    for (const d of list)
      if (!deps.has(d)) warnings.push(`service ${name} depends on undefined service ${d}`);
  // Iterative depth-first search: a hostile chain of thousands of services must not overflow.
  const state = new Map<string, 'visiting' | 'done'>();
  const seen = new Set<string>();
  for (const root of [...deps.keys()].sort()) {
    if (state.has(root)) continue;
    const path: string[] = [root];
    const next: number[] = [0];
    state.set(root, 'visiting');
    while (path.length > 0) {
      const n = path[path.length - 1];
      const list = deps.get(n) ?? [];
      const i = next[next.length - 1]++;
      if (i >= list.length) {
        state.set(n, 'done');
        path.pop();
        next.pop();
        continue;
      }
      const d = list[i];
      if (!deps.has(d)) continue;
      if (state.get(d) === 'visiting') {
        const cycle = path.slice(path.indexOf(d));
        const key = [...cycle].sort().join(',');
        if (!seen.has(key)) {
          seen.add(key);
          warnings.push(
            `depends_on cycle: ${[...cycle, d].join(' -> ')} (ignored: Swarm starts services in any order)`,
          );
        }
      } else if (!state.has(d)) {
        state.set(d, 'visiting');
        path.push(d);
        next.push(0);
      }
    }
  }
  return warnings;
}

/** The position of a path in the last file that holds the most of it (later files override). */
function locator(sources: SourceFile[]): (path: Path) => Position | undefined {
  return (path) => {
    let best: { depth: number; src: SourceFile } | undefined;
    for (const src of sources) {
      let v: unknown = src.data;
      let depth = 0;
      for (const seg of path) {
        if (!v || typeof v !== 'object' || !Object.hasOwn(v, seg)) break;
        v = (v as Record<string | number, unknown>)[seg];
        depth++;
      }
      if (!best || depth >= best.depth) best = { depth, src };
    }
    return (
      best?.src.positionOf(path) ?? (sources[0] && { file: sources[0].file, line: 1, column: 1 })
    );
  };
}
