// The fields that differ between two JSON documents, as dotted paths with the old and new value
// (`taskTemplate.containerSpec.image: "a:1" → "a:2"`), for `stack deploy --dry-run`. Lists are
// compared whole: a changed env or mount list is one change showing both lists.
import { canonical } from './canonical.js';

export interface FieldChange {
  path: string;
  /** Absent when the field is added. */
  from?: unknown;
  /** Absent when the field is removed. */
  to?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export function fieldDiff(from: unknown, to: unknown, path = ''): FieldChange[] {
  if (canonical(from) === canonical(to)) return [];
  if (!isObject(from) || !isObject(to)) {
    const c: FieldChange = { path };
    if (from !== undefined) c.from = from;
    if (to !== undefined) c.to = to;
    return [c];
  }
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  return keys.flatMap((k) => fieldDiff(from[k], to[k], path ? `${path}.${k}` : k));
}

/** `path: old → new`, `path: + new`, `path: - old`, values as JSON. */
export function formatChange(c: FieldChange): string {
  const j = (v: unknown) => JSON.stringify(v);
  if (!('from' in c)) return `${c.path}: + ${j(c.to)}`;
  if (!('to' in c)) return `${c.path}: - ${j(c.from)}`;
  return `${c.path}: ${j(c.from)} → ${j(c.to)}`;
}
