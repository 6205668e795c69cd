// Small value shapers shared by the normaliser: docker's omitempty (`set`), Go's fmt.Sprint,
// sorted maps, list_or_dict → map, extra_hosts and `x-` extension fields.
import type { Dict } from './compose-types.js';

export const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));

/** Go's fmt.Sprint for the scalar types YAML produces. */
export function sprint(v: unknown): string {
  if (typeof v === 'number' && !Number.isInteger(v) && Math.abs(v) >= 1e21)
    return v.toExponential();
  return String(v);
}

export function set(out: Dict, key: string, value: unknown): void {
  if (value === undefined || value === null || value === '' || value === false) return;
  if (Array.isArray(value) && value.length === 0) return;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return;
  out[key] = value;
}

export function sortedObject<T>(entries: [string, T][]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
  return out;
}

export function extrasOf(d: Dict): Dict {
  return sortedObject(Object.entries(d).filter(([k]) => k.startsWith('x-')));
}

export function stringList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? [v] : (v as unknown[]).map(str);
}

/** list_or_dict → map; `KEY` alone maps to null when allowNil, else to "". */
export function mapping(
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

export function hostsList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(str);
  return Object.entries(v as Dict)
    .filter(([, val]) => val !== null && val !== undefined)
    .map(([k, val]) => `${k}:${sprint(val)}`)
    .sort();
}
