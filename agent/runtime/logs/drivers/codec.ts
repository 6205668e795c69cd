// A log file format as the reader sees it: bytes in, whole entries out. A decoder is given what
// was appended since the last read and says how many bytes it used (the rest is an entry still
// being written).
import type { LogEntry } from '../../types.js';

export interface LogDecoder {
  decode(buf: Buffer): { entries: LogEntry[]; used: number };
}

/** For line formats: each complete line through `parse` (lines it cannot read are skipped). */
export function lineDecoder(parse: (line: string) => LogEntry | undefined): LogDecoder {
  return {
    decode(buf) {
      const last = buf.lastIndexOf(0x0a);
      if (last < 0) return { entries: [], used: 0 };
      const entries: LogEntry[] = [];
      for (const line of buf.subarray(0, last).toString('utf8').split('\n')) {
        const e = parse(line);
        if (e) entries.push(e);
      }
      return { entries, used: last + 1 };
    },
  };
}
