// Docker's json-file format: one JSON object per line, `{"log":"…\n","stream":"stdout",
// "time":"<RFC3339Nano, UTC>"}`, keys in that order. A partial line (no newline yet) is an entry
// whose log does not end in "\n", as Docker writes it.
import type { LogEntry } from '../../types.js';
import { lineDecoder, type LogDecoder } from './codec.js';
import { dockerTime, fixedTime } from './time.js';

/**
 * Go's encoding/json escapes <, >, & and U+2028/9 (Docker's jsonlog keeps that); JSON.stringify
 * does not. Invalid UTF-8 becomes U+FFFD in both.
 */
function goJson(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

export function encodeJsonLine(e: LogEntry): Buffer {
  const log = goJson(e.data.toString('utf8'));
  return Buffer.from(`{"log":${log},"stream":"${e.stream}","time":"${dockerTime(e.time)}"}\n`);
}

export function parseJsonLine(line: string): LogEntry | undefined {
  try {
    const o = JSON.parse(line) as { log?: unknown; stream?: unknown; time?: unknown };
    if (typeof o.log !== 'string' || typeof o.time !== 'string') return undefined;
    if (o.stream !== 'stdout' && o.stream !== 'stderr') return undefined;
    return { stream: o.stream, time: fixedTime(o.time), data: Buffer.from(o.log) };
  } catch {
    return undefined;
  }
}

export const jsonFileDecoder: LogDecoder = lineDecoder(parseJsonLine);
