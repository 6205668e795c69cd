// Variable substitution exactly as docker's compose template package does it: $VAR, ${VAR},
// ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message} and $$ for a literal $.
// Defaults are taken literally (no nested substitution), as docker does. After substitution,
// the fields docker declares typed (replicas, ports[].target, read_only ...) are cast from text.
import type { Path, Problems } from './problems.js';
import type { SourceFile } from './source.js';

export type Lookup = (name: string) => string | undefined;

const subst = '[_a-z][_a-z0-9]*(?::?[-?][^}]*)?';
const pattern = new RegExp(
  `\\$(?:(?<escaped>\\$)|(?<named>${subst})|\\{(?<braced>${subst})\\}|(?<invalid>))`,
  'gi',
);

export class TemplateError extends Error {}

function partition(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + sep.length)];
}

/** Substitutes variables in one string; throws TemplateError naming the variable. */
export function substitute(template: string, lookup: Lookup): string {
  return template.replace(pattern, (...args) => {
    const groups = args[args.length - 1] as Record<string, string | undefined>;
    if (groups.escaped) return groups.escaped;
    const sub = groups.named || groups.braced;
    if (!sub) throw new TemplateError(`invalid interpolation format in "${template}"`);
    if (sub.includes(':-')) {
      const [name, def] = partition(sub, ':-');
      const v = lookup(name);
      return v === undefined || v === '' ? def : v;
    }
    if (sub.includes('-')) {
      const [name, def] = partition(sub, '-');
      const v = lookup(name);
      return v === undefined ? def : v;
    }
    for (const [sep, nonEmpty] of [
      [':?', true],
      ['?', false],
    ] as const) {
      if (!sub.includes(sep)) continue;
      const [name, msg] = partition(sub, sep);
      const v = lookup(name);
      if (v === undefined || (nonEmpty && v === '')) {
        throw new TemplateError(`required variable ${name} is missing a value: ${msg}`);
      }
      return v;
    }
    return lookup(sub) ?? '';
  });
}

type Cast = (text: string) => unknown;

const toInt: Cast = (s) => {
  if (!/^[-+]?\d+$/.test(s)) throw new TemplateError(`expected an integer, got "${s}"`);
  return parseInt(s, 10);
};
const toFloat: Cast = (s) => {
  const n = Number(s);
  if (s.trim() === '' || Number.isNaN(n)) throw new TemplateError(`expected a number, got "${s}"`);
  return n;
};
const toBool: Cast = (s) => {
  const v = s.toLowerCase();
  if (['y', 'yes', 'true', 'on'].includes(v)) return true;
  if (['n', 'no', 'false', 'off'].includes(v)) return false;
  throw new TemplateError(`expected a boolean (true or false), got "${s}"`);
};

// Path patterns: '*' matches any key, '[]' any list index (docker's PathMatchAll/PathMatchList).
const casts: [string[], Cast][] = [
  [['configs', '[]', 'mode'], toInt],
  [['secrets', '[]', 'mode'], toInt],
  [['healthcheck', 'retries'], toInt],
  [['healthcheck', 'disable'], toBool],
  [['deploy', 'replicas'], toInt],
  [['deploy', 'update_config', 'parallelism'], toInt],
  [['deploy', 'update_config', 'max_failure_ratio'], toFloat],
  [['deploy', 'rollback_config', 'parallelism'], toInt],
  [['deploy', 'rollback_config', 'max_failure_ratio'], toFloat],
  [['deploy', 'restart_policy', 'max_attempts'], toInt],
  [['deploy', 'placement', 'max_replicas_per_node'], toInt],
  [['ports', '[]', 'target'], toInt],
  [['ports', '[]', 'published'], toInt],
  [['ulimits', '*'], toInt],
  [['ulimits', '*', 'hard'], toInt],
  [['ulimits', '*', 'soft'], toInt],
  [['privileged'], toBool],
  [['read_only'], toBool],
  [['stdin_open'], toBool],
  [['tty'], toBool],
  [['volumes', '[]', 'read_only'], toBool],
  [['volumes', '[]', 'volume', 'nocopy'], toBool],
].map(([p, c]) => [['services', '*', ...(p as string[])], c as Cast]);
for (const top of ['networks', 'volumes', 'secrets', 'configs']) {
  casts.push([[top, '*', 'external'], toBool]);
}
for (const f of ['internal', 'attachable']) casts.push([['networks', '*', f], toBool]);

function castFor(path: Path): Cast | undefined {
  for (const [pat, cast] of casts) {
    if (pat.length !== path.length) continue;
    const ok = pat.every((seg, i) =>
      seg === '*'
        ? typeof path[i] === 'string'
        : seg === '[]'
          ? typeof path[i] === 'number'
          : seg === path[i],
    );
    if (ok) return cast;
  }
  return undefined;
}

/** Interpolates every string value of a file in place; problems are collected, not thrown. */
export function interpolateSource(src: SourceFile, lookup: Lookup, problems: Problems): void {
  const walk = (value: unknown, path: Path): unknown => {
    if (typeof value === 'string') {
      try {
        const out = substitute(value, lookup);
        const cast = castFor(path);
        return cast ? cast(out) : out;
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        problems.add(src.positionOf(path), path, err.message);
        return value;
      }
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      for (const k of Object.keys(obj)) obj[k] = walk(obj[k], [...path, k]);
      return obj;
    }
    return value;
  };
  walk(src.data, []);
}
