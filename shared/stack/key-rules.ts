// Applies the key decisions (key-decisions.ts) to one parsed stack file: refuses docker's forbidden
// keys before anything else, and after schema validation collects one warning per ignored key and
// a problem (with position) per refused key or value. Which key means what lives in the table.
import type { Dict } from './compose-types.js';
import { keyDecisions, type KeyDecision, type KeyPath } from './key-decisions.js';
import type { Path, Problem, Problems } from './problems.js';
import { formatPath } from './problems.js';
import { stackSchema, type Schema } from './schema.js';
import type { SourceFile } from './source.js';

export const SECTIONS = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;

/** The decision for a key path, if any. */
export function decisionOf(key: KeyPath): KeyDecision | undefined {
  return Object.hasOwn(keyDecisions, key) ? keyDecisions[key] : undefined;
}

/**
 * Refuses service keys docker forbids (`extends`, `cpu_shares` ...): they are not in the schema,
 * so this runs before validation to give docker's reason instead of "unknown key".
 */
export function checkForbidden(src: SourceFile, problems: Problems): void {
  const services = src.data.services;
  if (!services || typeof services !== 'object') return;
  for (const [name, svc] of Object.entries(services as Dict)) {
    if (!svc || typeof svc !== 'object' || Array.isArray(svc)) continue;
    for (const k of Object.keys(svc as Dict)) {
      const d = decisionOf(`services.${k}`);
      if (d?.status === 'refused' && !schemaChild(sectionSchema('services'), k)) {
        const path = ['services', name, k];
        problems.add(src.positionOf(path), path, `forbidden property: ${d.why}`);
      }
    }
  }
}

export interface KeyFindings {
  /** Warning lines, one per ignored key, keyed by the line so files and services share one. */
  warnings: Map<string, string>;
  /** Refused keys and values: `stack deploy` refuses the stack; `stack config` warns. */
  refusals: Problem[];
}

/** Walks one validated file and applies every decision to the keys it actually uses. */
export function applyKeyDecisions(src: SourceFile, into: KeyFindings): void {
  for (const section of SECTIONS) {
    const entries = src.data[section];
    if (!entries || typeof entries !== 'object') continue;
    const schema = sectionSchema(section);
    for (const [name, value] of Object.entries(entries as Dict)) {
      if (value && typeof value === 'object')
        walk(src, schema, value, section, [section, name], into);
    }
  }
}

function walk(
  src: SourceFile,
  schema: Schema | undefined,
  value: unknown,
  key: KeyPath,
  path: Path,
  into: KeyFindings,
): void {
  if (!schema || value === null || value === undefined) return;
  if ('oneOf' in schema) {
    for (const b of schema.oneOf) if (fits(b, value)) return walk(src, b, value, key, path, into);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(src, schema.items, item, key, [...path, i], into));
    return;
  }
  if (typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value as Dict)) {
    if (k.startsWith('x-') && !schema.props?.[k]) continue; // extension fields are for the user
    const prop = schema.props?.[k];
    if (!prop) {
      // A user-chosen name (network, ulimit): the key path stays, the data path goes down.
      const named = schema.pattern?.find(([re]) => re.test(k))?.[1];
      if (named) walk(src, named, v, key, [...path, k], into);
      continue;
    }
    const childKey = `${key}.${k}`;
    const childPath = [...path, k];
    const d = decisionOf(childKey);
    if (!d) continue; // the unit test guarantees every schema key has one
    if (d.status === 'honoured') {
      if (d.only && !d.only.values.includes(String(v))) {
        const msg = unsupported(`${formatPath(childPath)} ${JSON.stringify(v)} (${d.only.why})`);
        if (d.only.otherwise === 'warned') into.warnings.set(msg, msg);
        else refuse(src, childPath, `${JSON.stringify(v)} is not supported: ${d.only.why}`, into);
      }
      walk(src, prop, v, childKey, childPath, into);
    } else if (d.status === 'warned') {
      const label = labelOf(childKey, childPath);
      const line = unsupported(d.why ? `${label} (${d.why})` : label);
      into.warnings.set(line, line);
    } else if (d.status === 'deprecated') {
      const line = `Ignoring deprecated options: ${labelOf(childKey, childPath)}: ${d.why}`;
      into.warnings.set(line, line);
    } else {
      refuse(src, childPath, `not supported: ${d.why}`, into);
    }
  }
}

const unsupported = (what: string) => `Ignoring unsupported options: ${what}`;

/** Service keys are named as docker names them (`isolation`); others with their entry's name. */
function labelOf(key: KeyPath, path: Path): string {
  return key.startsWith('services.') ? key.slice('services.'.length) : formatPath(path);
}

function refuse(src: SourceFile, path: Path, message: string, into: KeyFindings): void {
  into.refusals.push({ pos: src.positionOf(path), path: formatPath(path), message });
}

function fits(s: Schema, v: unknown): boolean {
  if ('oneOf' in s) return false;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (Array.isArray(v)) return types.includes('array');
  if (v !== null && typeof v === 'object') return types.includes('object');
  return true;
}

/** The schema of one entry of a top-level section. */
export function sectionSchema(section: (typeof SECTIONS)[number]): Schema {
  const s = stackSchema as { props: Record<string, Schema> };
  const sec = s.props[section] as { pattern: [RegExp, Schema][] };
  return sec.pattern[0][1];
}

function schemaChild(s: Schema, k: string): Schema | undefined {
  return 'oneOf' in s ? undefined : s.props?.[k];
}
