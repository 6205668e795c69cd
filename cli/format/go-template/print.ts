// Go's fmt for template values decoded from JSON: %v printing (`<no value>`, `<nil>`, `[a b]`,
// `map[k:v]`), Sprint/Sprintln spacing and a printf of the common verbs.

/** The value a missing map key yields; printed as `<no value>`, as Go prints an invalid value. */
export const noValue = undefined;

function goFloat(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const abs = Math.abs(n);
  let s = abs !== 0 && (abs < 1e-4 || abs >= 1e21) ? n.toExponential() : String(n);
  // Go writes at least two exponent digits (1e-07, 1e+21).
  s = s.replace(/e([-+])(\d)$/, 'e$10$2');
  return s;
}

/** `%v` of one value, as Go prints it inside a template action or a collection. */
export function goString(v: unknown, top = true): string {
  if (v === undefined) return top ? '<no value>' : '<nil>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goFloat(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map((e) => goString(e, false)).join(' ')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort();
    const rec = v as Record<string, unknown>;
    return `map[${keys.map((k) => `${k}:${goString(rec[k], false)}`).join(' ')}]`;
  }
  return String(v);
}

/** Go's fmt.Sprint: a space between operands when neither is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += goString(a, false);
  });
  return out;
}

export function sprintln(args: unknown[]): string {
  return `${args.map((a) => goString(a, false)).join(' ')}\n`;
}

/** The Go type name fmt shows in `%!d(string=x)`. */
export function goType(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

function quote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
}

function verb(c: string, v: unknown, prec: number | undefined, plus: boolean): string {
  const bad = () => `%!${c}(${goType(v)}=${goString(v, false)})`;
  switch (c) {
    case 'v':
      return goString(v, false);
    case 's':
      if (typeof v === 'number' || typeof v === 'boolean') return bad();
      return prec === undefined ? goString(v, false) : goString(v, false).slice(0, prec);
    case 'q':
      if (typeof v === 'string') return quote(v);
      if (typeof v === 'number' && Number.isInteger(v)) return `'${String.fromCodePoint(v)}'`;
      return bad();
    case 'd':
      if (typeof v !== 'number' || !Number.isInteger(v)) return bad();
      return (plus && v >= 0 ? '+' : '') + String(v);
    case 't':
      return typeof v === 'boolean' ? String(v) : bad();
    case 'x':
    case 'X': {
      let s: string;
      if (typeof v === 'number' && Number.isInteger(v)) s = v.toString(16);
      else if (typeof v === 'string') s = Buffer.from(v).toString('hex');
      else return bad();
      return c === 'X' ? s.toUpperCase() : s;
    }
    case 'f':
    case 'e':
    case 'g':
      if (typeof v !== 'number') return bad();
      if (c === 'f') return v.toFixed(prec ?? 6);
      if (c === 'e') return v.toExponential(prec ?? 6).replace(/e([-+])(\d)$/, 'e$10$2');
      return prec === undefined ? goFloat(v) : String(Number(v.toPrecision(prec)));
    default:
      return `%!${c}(${goType(v)}=${goString(v, false)})`;
  }
}

/** Go's fmt.Sprintf for %v %s %q %d %t %x %X %f %e %g %% with flags `-` `0` `+`, width, precision. */
export function sprintf(format: string, args: unknown[]): string {
  let n = 0;
  const out = format.replace(
    /%([-+0 #]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g,
    (_m, flags: string, width: string | undefined, prec: string | undefined, c: string) => {
      if (c === '%') return '%';
      if (n >= args.length) return `%!${c}(MISSING)`;
      const s = verb(
        c,
        args[n++],
        prec === undefined ? undefined : Number(prec),
        flags.includes('+'),
      );
      const w = width === undefined ? 0 : Number(width);
      if (s.length >= w) return s;
      if (flags.includes('-')) return s.padEnd(w);
      return flags.includes('0') && /[dfegxX]/.test(c) ? s.padStart(w, '0') : s.padStart(w);
    },
  );
  if (n < args.length)
    return `${out}%!(EXTRA ${args
      .slice(n)
      .map((a) => `${goType(a)}=${goString(a, false)}`)
      .join(', ')})`;
  return out;
}
