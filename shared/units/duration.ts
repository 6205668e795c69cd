// Durations written as Docker and Go write them: "1m30s", "500ms", "1.5h", "10s". A bare number is
// refused (ambiguous) unless the caller names a default unit.
import { FlotillaError } from '../errors/index.js';

const unitNs: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Parses a Go-style duration into nanoseconds. `field` names the flag or YAML path in errors. */
export function parseDurationNs(text: string, field = 'duration'): number {
  const s = String(text).trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  let sign = 1;
  let body = s;
  if (body.startsWith('-')) {
    sign = -1;
    body = body.slice(1);
  } else if (body.startsWith('+')) body = body.slice(1);
  re.lastIndex = 0;
  while (re.lastIndex < body.length && (m = re.exec(body)) !== null) {
    total += parseFloat(m[1]) * unitNs[m[2]];
    matched = re.lastIndex;
  }
  if (body.length === 0 || matched !== body.length) {
    throw new FlotillaError('INVALID_DURATION', { field, value: s });
  }
  return Math.round(sign * total);
}

export function parseDurationMs(text: string, field = 'duration'): number {
  return Math.round(parseDurationNs(text, field) / 1e6);
}

/** Formats nanoseconds the way Go's time.Duration.String does ("1m30s", "500ms", "0s"). */
export function formatDurationNs(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let n = Math.abs(ns);
  let out: string;
  if (n < 1e3) out = `${n}ns`;
  else if (n < 1e6) out = `${trim(n / 1e3)}µs`;
  else if (n < 1e9) out = `${trim(n / 1e6)}ms`;
  else {
    const h = Math.floor(n / 3600e9);
    n -= h * 3600e9;
    const m = Math.floor(n / 60e9);
    n -= m * 60e9;
    const sec = trim(n / 1e9);
    out = (h ? `${h}h` : '') + (h || m ? `${m}m` : '') + `${sec}s`;
  }
  return neg ? `-${out}` : out;
}

function trim(x: number): string {
  return String(Number(x.toFixed(9)));
}
