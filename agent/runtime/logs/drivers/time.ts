// Converts conmon's k8s-file timestamps (RFC3339 with nanoseconds and a local offset) into what
// Docker's drivers write: RFC3339Nano in UTC (json-file) and nanoseconds since the epoch (local).

const stamp = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)$/;

export interface LogTime {
  /** Whole seconds since the epoch. */
  seconds: number;
  /** Nanoseconds within the second. */
  nanos: number;
}

export function parseLogTime(text: string): LogTime | undefined {
  const m = stamp.exec(text);
  if (!m) return undefined;
  const offset = m[3] === 'Z' ? 'Z' : m[3].replace(/^([+-]\d\d)(\d\d)$/, '$1:$2');
  const ms = Date.parse(`${m[1]}${offset}`);
  if (!Number.isFinite(ms)) return undefined;
  return { seconds: ms / 1000, nanos: Number((m[2] ?? '').padEnd(9, '0')) };
}

/** Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped, none if it is zero. */
export function rfc3339NanoUtc(t: LogTime): string {
  const base = new Date(t.seconds * 1000).toISOString().slice(0, 19);
  const frac = String(t.nanos).padStart(9, '0').replace(/0+$/, '');
  return `${base}${frac ? `.${frac}` : ''}Z`;
}

/**
 * Docker's RFC3339NanoFixed (what `logs -t` prints): always nine digits, so that times compare as
 * strings (the manager merges service logs by sorting them).
 */
export function rfc3339NanoFixed(t: LogTime): string {
  const base = new Date(t.seconds * 1000).toISOString().slice(0, 19);
  return `${base}.${String(t.nanos).padStart(9, '0')}Z`;
}

/** A stored time in the fixed form; the text as is when it cannot be read. */
export function fixedTime(text: string): string {
  const t = parseLogTime(text);
  return t ? rfc3339NanoFixed(t) : text;
}

export function unixNanos(t: LogTime): bigint {
  return BigInt(t.seconds) * 1_000_000_000n + BigInt(t.nanos);
}

export function fromUnixNanos(n: bigint): LogTime {
  return { seconds: Number(n / 1_000_000_000n), nanos: Number(n % 1_000_000_000n) };
}

/** The time of a line conmon wrote, in Docker's form; now when it cannot be read. */
export function dockerTime(conmonTime: string): string {
  const t = parseLogTime(conmonTime);
  return t ? rfc3339NanoUtc(t) : new Date().toISOString();
}
