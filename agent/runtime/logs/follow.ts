// Reads a container's log file in any format (a LogDecoder): the rotated copies oldest first
// (`path.N` … `path.1`, gzip-compressed as `path.N.gz` where the driver compresses), then the live
// file; with follow, keeps reading as the file grows and across rotations (the old inode is drained
// from path.1 before the new file is read).
import { existsSync, statSync, watch } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { LogEntry, LogOptions } from '../types.js';
import type { LogDecoder } from './drivers/codec.js';

/** Date.parse keeps milliseconds only; enough for --since/--until. */
export function timeOf(entry: LogEntry): number {
  return Date.parse(entry.time.replace(/(\.\d{3})\d*/, '$1')) / 1000;
}

/** Rotated copies, oldest first: path.N … path.1, each possibly compressed (path.N.gz). */
export function rotatedFiles(path: string): string[] {
  const out: string[] = [];
  for (let i = 1; ; i++) {
    if (existsSync(`${path}.${i}`)) out.unshift(`${path}.${i}`);
    else if (existsSync(`${path}.${i}.gz`)) out.unshift(`${path}.${i}.gz`);
    else return out;
  }
}

async function readFrom(path: string, from: number): Promise<Buffer> {
  if (path.endsWith('.gz')) return gunzipSync(await readFile(path)).subarray(from);
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return Buffer.alloc(0);
  try {
    const size = (await fh.stat()).size;
    if (size <= from) return Buffer.alloc(0);
    const buf = Buffer.alloc(size - from);
    const { bytesRead } = await fh.read(buf, 0, buf.length, from);
    return buf.subarray(0, bytesRead);
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

/**
 * Yields entries of the rotated copies (oldest first), then of `path`. With follow, keeps yielding
 * until `isDone()` is true and the file has been drained, or the signal aborts.
 */
export async function* followLog(
  path: string,
  decoder: LogDecoder,
  o: LogOptions,
  isDone: () => boolean,
): AsyncGenerator<LogEntry> {
  const all: LogEntry[] = [];
  let offset = 0;
  let ino = 0;
  for (const p of [...rotatedFiles(path), path]) {
    const { entries, used } = decoder.decode(await readFrom(p, 0));
    if (p === path) {
      offset = used;
      ino = existsSync(path) ? statSync(path).ino : 0;
    }
    for (const e of entries) if (wanted(e, o)) all.push(e);
  }
  const start = o.tail !== undefined && o.tail >= 0 ? Math.max(0, all.length - o.tail) : 0;
  for (let i = start; i < all.length; i++) yield all[i];
  if (!o.follow) return;
  let wake: (() => void) | undefined;
  const poke = () => wake?.();
  // The directory: the file may not exist yet, and rotation replaces it.
  const watcher = existsSync(dirname(path)) ? watch(dirname(path), poke) : undefined;
  watcher?.on('error', () => undefined);
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
          // A compressing driver has replaced path.1 with path.1.gz: same bytes, new inode.
          const old = [`${path}.1`, `${path}.1.gz`].find(
            (f) => existsSync(f) && (f.endsWith('.gz') || statSync(f).ino === ino),
          );
          if (ino && st.ino !== ino && old) {
            for (const e of decoder.decode(await readFrom(old, offset)).entries)
              if (wanted(e, o)) yield e;
          }
          ino = st.ino;
          offset = 0;
        }
        const { entries, used } = decoder.decode(await readFrom(path, offset));
        offset += used;
        for (const e of entries) if (wanted(e, o)) yield e;
      }
      if (done) return;
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    watcher?.close();
    clearInterval(timer);
  }
}
