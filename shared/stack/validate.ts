// Checks interpolated stack data against the schema (schema.ts), collecting every mismatch with
// its field path and position. Conversion (normalize.ts) only runs on data that passed.
import type { Path, Problems } from './problems.js';
import type { Schema, SchemaType } from './schema.js';
import type { SourceFile } from './source.js';

function typeOf(v: unknown): SchemaType {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  return 'object';
}

const article: Record<SchemaType, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  null: 'null',
  object: 'a mapping',
  array: 'a list',
};

export function describeValue(v: unknown): string {
  const t = typeOf(v);
  if (t === 'string') return JSON.stringify(v);
  if (t === 'object') return 'a mapping';
  if (t === 'array') return 'a list';
  return String(v);
}

function typeMatches(want: SchemaType, got: SchemaType): boolean {
  return want === got || (want === 'number' && got === 'integer');
}

function expectText(s: Schema): string {
  if ('oneOf' in s) return s.desc;
  if (s.desc) return s.desc;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  return types.map((t) => article[t]).join(' or ');
}

interface Issue {
  path: Path;
  message: string;
}

function check(s: Schema, v: unknown, path: Path, out: Issue[]): void {
  if ('oneOf' in s) {
    // Report the branch of the right type, if any, so the message points inside it.
    const got = typeOf(v);
    const branch = s.oneOf.find((b) => {
      if ('oneOf' in b) return false;
      const types = Array.isArray(b.type) ? b.type : [b.type];
      return types.some((t) => typeMatches(t, got));
    });
    if (!branch) {
      out.push({ path, message: `expected ${s.desc}, got ${describeValue(v)}` });
      return;
    }
    check(branch, v, path, out);
    return;
  }
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const got = typeOf(v);
  // 1e400 reads as Infinity, 99999999999999999999 loses digits: no count or size is that large.
  if (
    typeof v === 'number' &&
    (!Number.isFinite(v) || (got === 'integer' && !Number.isSafeInteger(v)))
  ) {
    out.push({ path, message: `number out of range: ${String(v)}` });
    return;
  }
  if (!types.some((t) => typeMatches(t, got))) {
    out.push({ path, message: `expected ${expectText(s)}, got ${describeValue(v)}` });
    return;
  }
  if (s.enum && typeof v === 'string' && !s.enum.includes(v)) {
    out.push({ path, message: `expected one of ${s.enum.join(', ')}, got ${JSON.stringify(v)}` });
  }
  if (got === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const child = s.props?.[k] ?? s.pattern?.find(([re]) => re.test(k))?.[1];
      if (child) check(child, o[k], [...path, k], out);
      else if (s.extra === false)
        out.push({ path: [...path, k], message: 'unknown key (not allowed here)' });
      else if (s.extra && s.extra !== true) check(s.extra, o[k], [...path, k], out);
    }
    for (const r of s.required ?? []) {
      if (!(r in o)) out.push({ path, message: `missing required key "${r}"` });
    }
  }
  if (got === 'array' && s.items) {
    (v as unknown[]).forEach((item, i) => check(s.items!, item, [...path, i], out));
  }
}

export function validateSource(src: SourceFile, schema: Schema, problems: Problems): void {
  const issues: Issue[] = [];
  check(schema, src.data, [], issues);
  for (const i of issues) problems.add(src.positionOf(i.path), i.path, i.message);
}
