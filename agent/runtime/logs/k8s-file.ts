// Reads conmon's k8s-file logs (`<RFC3339Nano> <stdout|stderr> <F|P> <text>` per line): tail,
// since/until, and follow across rotations (the agent renames the file and conmon reopens it).
import type { LogEntry, LogOptions } from '../types.js';
import { lineDecoder } from './drivers/codec.js';
import { followLog, rotatedFiles, timeOf } from './follow.js';

export function parseLine(line: string): LogEntry | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0) return undefined;
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  const text = c < 0 ? '' : line.slice(c + 1);
  return { stream, time: line.slice(0, a), data: Buffer.from(tag === 'P' ? text : `${text}\n`) };
}

/** conmon's k8s-file lines, for followLog (logs/follow.ts). */
export const k8sFileDecoder = lineDecoder(parseLine);

/** Reads a k8s-file log: rotated copies oldest first, then the live file (see followLog). */
export function readLog(
  path: string,
  o: LogOptions,
  isDone: () => boolean,
): AsyncGenerator<LogEntry> {
  return followLog(path, k8sFileDecoder, o, isDone);
}

export { rotatedFiles, timeOf };
