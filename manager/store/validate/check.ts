// Small structural checks that name the failing field ("spec.mode.replicated.replicas"), so a bad
// document is refused with a message a person can act on.

export class InvalidField extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

export type Obj = Record<string, unknown>;

export function fail(field: string, reason: string): never {
  throw new InvalidField(field, reason);
}

export function obj(v: unknown, field: string): Obj {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(field, 'must be an object');
  return v as Obj;
}

export function str(v: unknown, field: string, opts: { nonEmpty?: boolean } = {}): string {
  if (typeof v !== 'string') fail(field, v === undefined ? 'required' : 'must be a string');
  if (opts.nonEmpty && v.length === 0) fail(field, 'must not be empty');
  return v;
}

export function optStr(v: unknown, field: string): string | undefined {
  return v === undefined ? undefined : str(v, field);
}

export function int(v: unknown, field: string, opts: { min?: number; max?: number } = {}): number {
  if (typeof v !== 'number' || !Number.isInteger(v))
    fail(field, v === undefined ? 'required' : 'must be an integer');
  // 1e30 is an integer to JavaScript, but no count, size or duration here is that large.
  if (!Number.isSafeInteger(v)) fail(field, 'is out of range');
  if (opts.min !== undefined && v < opts.min) fail(field, `must be at least ${opts.min}`);
  if (opts.max !== undefined && v > opts.max) fail(field, `must be at most ${opts.max}`);
  return v;
}

export function optInt(v: unknown, field: string, opts: { min?: number; max?: number } = {}) {
  return v === undefined ? undefined : int(v, field, opts);
}

export function num(v: unknown, field: string, opts: { min?: number; max?: number } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    fail(field, v === undefined ? 'required' : 'must be a number');
  if (opts.min !== undefined && v < opts.min) fail(field, `must be at least ${opts.min}`);
  if (opts.max !== undefined && v > opts.max) fail(field, `must be at most ${opts.max}`);
  return v;
}

export function bool(v: unknown, field: string): boolean | undefined {
  if (v !== undefined && typeof v !== 'boolean') fail(field, 'must be true or false');
  return v as boolean | undefined;
}

export function oneOf<T extends string>(v: unknown, field: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T))
    fail(field, v === undefined ? 'required' : `must be one of ${values.join(', ')}`);
  return v as T;
}

export function arr(
  v: unknown,
  field: string,
  each?: (item: unknown, f: string) => void,
): unknown[] {
  if (!Array.isArray(v)) fail(field, v === undefined ? 'required' : 'must be an array');
  if (each) v.forEach((item, i) => each(item, `${field}[${i}]`));
  return v;
}

export function strArr(v: unknown, field: string): string[] {
  return arr(v, field, (s, f) => str(s, f)) as string[];
}

export function strMap(v: unknown, field: string): Record<string, string> {
  const o = obj(v, field);
  for (const [k, val] of Object.entries(o)) str(val, `${field}.${k}`);
  return o as Record<string, string>;
}

export function time(v: unknown, field: string): string {
  const s = str(v, field);
  if (Number.isNaN(Date.parse(s))) fail(field, 'must be an RFC 3339 time');
  return s;
}
