// Reads conmon's k8s-file logs (`<RFC3339Nano> <stdout|stderr> <F|P> <text>` per line): tail,
// since/until, and follow across rotations (the agent renames the file and conmon reopens it).
import { createReadStream, existsSync, statSync, watch } from 'node:fs';
import { open } from 'node:fs/promises';
import type { LogEntry, LogOptions } from '../types.js';

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

export function timeOf(entry: LogEntry): number {
  // Date.parse keeps milliseconds only; enough for --since/--until.
  return Date.parse(entry.time.replace(/(\.\d{3})\d*/, '$1')) / 1000;
}

async function readLines(path: string, from = 0): Promise<{ lines: string[]; end: number }> {
  if (!existsSync(path)) return { lines: [], end: 0 };
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    if (size <= from) return { lines: [], end: from };
    const buf = Buffer.alloc(size - from);
    await fh.read(buf, 0, buf.length, from);
    const text = buf.toString('utf8');
    const last = text.lastIndexOf('\n');
    if (last < 0) return { lines: [], end: from };
    return {
      lines: text.slice(0, last).split('\n'),
      end: from + Buffer.byteLength(text.slice(0, last + 1)),
    };
  } finally {
    await fh.close();
  }
}

function wanted(e: LogEntry, o: LogOptions): boolean {
  if (o.stdout === false && e.stream === 'stdout') return false;
  if (o.stderr === false && e.stream === 'stderr') return false;
  if (o.since !== undefined && timeOf(e) < o.since) return false;
  if (o.until !== undefined && timeOf(e) > o.until) return false;
  return true;
}

/** Rotated copies, oldest first: path.N … path.1 (logs/rotation.ts shifts them). */
export function rotatedFiles(path: string): string[] {
  const out: string[] = [];
  for (let i = 1; existsSync(`${path}.${i}`); i++) out.unshift(`${path}.${i}`);
  return out;
}

/**
 * Yields entries of the rotated copies (oldest first), then of `path`. With follow, keeps yielding
 * until `isDone()` is true and the file has been drained, or the signal aborts.
 */
export async function* readLog(
  path: string,
  o: LogOptions,
  isDone: () => boolean,
): AsyncGenerator<LogEntry> {
  const all: LogEntry[] = [];
  let offset = 0;
  let ino = 0;
  for (const p of [...rotatedFiles(path), path]) {
    const { lines, end } = await readLines(p);
    if (p === path) {
      offset = end;
      ino = existsSync(path) ? statSync(path).ino : 0;
    }
    for (const l of lines) {
      const e = parseLine(l);
      if (e && wanted(e, o)) all.push(e);
    }
  }
  const start = o.tail !== undefined && o.tail >= 0 ? Math.max(0, all.length - o.tail) : 0;
  for (let i = start; i < all.length; i++) yield all[i];
  if (!o.follow) return;
  let wake: (() => void) | undefined;
  const poke = () => wake?.();
  const watcher = existsSync(path) ? watch(path, poke) : undefined;
  const timer = setInterval(poke, 250);
  o.signal?.addEventListener('abort', poke);
  try {
    for (;;) {
      if (o.signal?.aborted) return;
      const done = isDone();
      if (existsSync(path)) {
        const st = statSync(path);
        if (st.ino !== ino || st.size < offset) {
          // Rotated: drain what the old inode got since the last read (it is path.1 now), then
          // start over on the new file. Truncated in place: just start over.
          const old = `${path}.1`;
          if (st.ino !== ino && existsSync(old) && statSync(old).ino === ino) {
            const rest = await readLines(old, offset);
            for (const l of rest.lines) {
              const e = parseLine(l);
              if (e && wanted(e, o)) yield e;
            }
          }
          ino = st.ino;
          offset = 0;
        }
        const { lines, end } = await readLines(path, offset);
        offset = end;
        for (const l of lines) {
          const e = parseLine(l);
          if (e && wanted(e, o)) yield e;
        }
      }
      if (done) return;
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    watcher?.close();
    clearInterval(timer);
  }
}

export { createReadStream };
