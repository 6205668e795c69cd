// Docker's json-file format: one JSON object per line, `{"log":"…\n","stream":"stdout",
// "time":"<RFC3339Nano, UTC>"}`, keys in that order. A partial line (no newline yet) is an entry
// whose log does not end in "\n", as Docker writes it.
import type { LogEntry } from '../../types.js';
import { lineDecoder, type LogDecoder } from './codec.js';
import { dockerTime, fixedTime } from './time.js';

/**
 * A JSON string as Docker's jsonlog writes it: `"` and `\\` escaped, \n \r \t short, every other
 * control character and <, >, &, U+2028/9 as \u00XX (JSON.stringify would leave <>& and write \b
 * \f). Invalid UTF-8 has already become U+FFFD when the bytes were decoded.
 */
function goJson(text: string): string {
  return `"${text.replace(/["\\\u0000-\u001f<>&\u2028\u2029]/g, (c) => {
    if (c === '"' || c === '\\') return `\\${c}`;
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  })}"`;
}

/** Docker's jsonlog order: log, stream, attrs (keys sorted, as Go marshals a map), time. */
export function encodeJsonLine(e: LogEntry, attrs: Record<string, string> = {}): Buffer {
  const log = goJson(e.data.toString('utf8'));
  const keys = Object.keys(attrs).sort();
  const extra = keys.length
    ? `,"attrs":{${keys.map((k) => `${goJson(k)}:${goJson(attrs[k])}`).join(',')}}`
    : '';
  return Buffer.from(
    `{"log":${log},"stream":"${e.stream}"${extra},"time":"${dockerTime(e.time)}"}\n`,
  );
}

export function parseJsonLine(line: string): LogEntry | undefined {
  try {
    const o = JSON.parse(line) as {
      log?: unknown;
      stream?: unknown;
      time?: unknown;
      attrs?: unknown;
    };
    if (typeof o.log !== 'string' || typeof o.time !== 'string') return undefined;
    if (o.stream !== 'stdout' && o.stream !== 'stderr') return undefined;
    const entry: LogEntry = { stream: o.stream, time: fixedTime(o.time), data: Buffer.from(o.log) };
    if (o.attrs && typeof o.attrs === 'object') entry.attrs = o.attrs as Record<string, string>;
    return entry;
  } catch {
    return undefined;
  }
}

export const jsonFileDecoder: LogDecoder = lineDecoder(parseJsonLine);
