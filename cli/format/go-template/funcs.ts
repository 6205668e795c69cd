// The functions a --format template can call: Go's text/template built-ins and Docker's
// (templates/templates.go: json, join, split, lower, upper, title, truncate, pad).
import { goString, goType, sprint, sprintf, sprintln } from './print.js';

/** A function and the number of arguments Go's signature takes (max Infinity: variadic). */
export interface TemplateFunc {
  min: number;
  max: number;
  call: (args: unknown[]) => unknown;
  /** Go's `error calling X:` wrapping applies (functions returning an error). */
  errs?: boolean;
}

/** Thrown by a function; exec reports it at the call's position. */
export class FuncError extends Error {}

function str(v: unknown): string {
  if (typeof v !== 'string')
    throw new FuncError(`wrong type for value; expected string; got ${goType(v)}`);
  return v;
}

function int(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new FuncError(`wrong type for value; expected int; got ${goType(v)}`);
  return v;
}

/** Go's truth: false, 0, nil, and empty strings, slices and maps are false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function basicKind(v: unknown): string {
  if (v === undefined || v === null) return 'nil';
  const k = typeof v;
  if (k === 'string' || k === 'number' || k === 'boolean') return k;
  throw new FuncError(`error calling eq: non-comparable type ${goString(v, false)}: ${goType(v)}`);
}

function eq(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  if (ka !== kb) throw new FuncError('error calling eq: incompatible types for comparison');
  return a === b;
}

function lt(name: string, a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  if (ka !== basicKind(b))
    throw new FuncError(`error calling ${name}: incompatible types for comparison`);
  if (ka !== 'number' && ka !== 'string')
    throw new FuncError(`error calling ${name}: invalid type for comparison`);
  return (a as number) < (b as number);
}

function index(args: unknown[]): unknown {
  let v = args[0];
  for (const k of args.slice(1)) {
    if (Array.isArray(v) || typeof v === 'string') {
      const i = int(k);
      if (i < 0 || i >= v.length) throw new FuncError(`index out of range: ${i}`);
      v = typeof v === 'string' ? v.charCodeAt(i) : v[i];
    } else if (v !== null && typeof v === 'object') {
      // Flotilla's documents are untyped JSON: a missing key reads as Docker's string maps'
      // zero value, so `index .Config.Labels "x"` prints "" as docker inspect does.
      v = Object.hasOwn(v, str(k)) ? (v as Record<string, unknown>)[k as string] : '';
    } else if (v === null || v === undefined) throw new FuncError('index of untyped nil');
    else throw new FuncError(`can't index item of type ${goType(v)}`);
  }
  return v;
}

function slice(args: unknown[]): unknown {
  const v = args[0];
  if (!Array.isArray(v) && typeof v !== 'string')
    throw new FuncError(`can't slice item of type ${goType(v)}`);
  const [from = 0, to = v.length] = args.slice(1).map(int);
  if (from < 0 || to > v.length || from > to)
    throw new FuncError(`index out of range: ${from > to ? from : to}`);
  return v.slice(from, to);
}

function len(v: unknown): number {
  // JSON's null stands for Docker's nil slices and maps, whose len is 0.
  if (v === null) return 0;
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (v !== null && typeof v === 'object') return Object.keys(v).length;
  throw new FuncError(`len of type ${goType(v)}`);
}

/** Go's strings.Title: the first letter of each word upper-cased. */
function title(s: string): string {
  return s.replace(
    /(^|[^\p{L}\p{N}_'])(\p{L})/gu,
    (_m, pre: string, c: string) => pre + c.toUpperCase(),
  );
}

const fixed = (n: number, call: (args: unknown[]) => unknown, errs = false): TemplateFunc => ({
  min: n,
  max: n,
  call,
  errs,
});
const variadic = (min: number, call: (args: unknown[]) => unknown, errs = false): TemplateFunc => ({
  min,
  max: Infinity,
  call,
  errs,
});

export const builtins: Record<string, TemplateFunc> = {
  // and/or are evaluated lazily by exec (Go short-circuits them); these are their fallbacks.
  and: variadic(1, (a) => a.find((v) => !truth(v)) ?? a[a.length - 1]),
  or: variadic(1, (a) => a.find((v) => truth(v)) ?? a[a.length - 1]),
  not: fixed(1, (a) => !truth(a[0])),
  eq: variadic(1, ([a, ...rest]) => {
    if (!rest.length) throw new FuncError('missing argument for comparison');
    return rest.some((b) => eq(a, b));
  }),
  ne: fixed(2, ([a, b]) => !eq(a, b)),
  lt: fixed(2, ([a, b]) => lt('lt', a, b)),
  le: fixed(2, ([a, b]) => lt('le', a, b) || eq(a, b)),
  gt: fixed(2, ([a, b]) => !lt('gt', a, b) && !eq(a, b)),
  ge: fixed(2, ([a, b]) => !lt('ge', a, b)),
  len: fixed(1, ([v]) => len(v), true),
  index: variadic(1, index, true),
  slice: variadic(1, slice, true),
  print: variadic(0, sprint),
  println: variadic(0, sprintln),
  printf: variadic(1, ([f, ...rest]) => sprintf(str(f), rest)),
  // Docker's, as templates.go defines them.
  json: fixed(1, ([v]) => JSON.stringify(v === undefined ? null : v)),
  split: fixed(2, ([s, sep]) => str(s).split(str(sep))),
  join: fixed(2, ([a, sep]) => {
    if (!Array.isArray(a))
      throw new FuncError(`wrong type for value; expected []string; got ${goType(a)}`);
    return a.map(str).join(str(sep));
  }),
  title: fixed(1, ([s]) => title(str(s))),
  lower: fixed(1, ([s]) => str(s).toLowerCase()),
  upper: fixed(1, ([s]) => str(s).toUpperCase()),
  pad: fixed(3, ([s, pre, post]) =>
    str(s) === '' ? '' : ' '.repeat(int(pre)) + (s as string) + ' '.repeat(int(post)),
  ),
  truncate: fixed(2, ([s, n]) => str(s).slice(0, Math.max(0, int(n)))),
};

/** Docker's header functions: a table header keeps its column names intact. */
export const headerFuncs: Record<string, TemplateFunc> = {
  ...builtins,
  json: fixed(1, ([v]) => v),
  split: fixed(2, ([v]) => v),
  join: fixed(2, ([v]) => v),
  title: fixed(1, ([v]) => v),
  lower: fixed(1, ([v]) => v),
  upper: fixed(1, ([v]) => v),
  truncate: fixed(2, ([v]) => v),
};
