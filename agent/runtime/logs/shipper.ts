// Forwards a container's spool (conmon's k8s-file ctr.log) to its driver's sink from a cursor kept
// on disk beside it. conmon keeps writing the spool while the agent is away, so an adopted
// container's lines are shipped late but none is lost; a batch interrupted by a crash is shipped
// again (at least once). The spool is rotated only once the shipper has left the old file.
import { watch, type FSWatcher } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { LogSink } from './drivers/sink.js';
import { k8sFileDecoder } from './k8s-file.js';
import { writeFileAtomic } from '../../../shared/fs/atomic.js';

interface Cursor {
  /** Inode of the spool file the offset is in (rotation renames it to .1). */
  ino: number;
  offset: number;
}

/** Read at most this much per step, so a spool that grew while the agent was away streams. */
const CHUNK = 1024 * 1024;

/** Up to CHUNK bytes from `from`; the buffer is only as large as what is there to read. */
async function readChunk(path: string, from: number): Promise<Buffer> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return Buffer.alloc(0);
  try {
    const size = Math.min(CHUNK, (await fh.stat()).size - from);
    if (size <= 0) return Buffer.alloc(0);
    const buf = Buffer.allocUnsafe(size);
    const { bytesRead } = await fh.read(buf, 0, size, from);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export class LogShipper {
  private cursor: Cursor = { ino: 0, offset: 0 };
  private chain: Promise<void>;
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly spool: string,
    private readonly cursorPath: string,
    private readonly sink: LogSink,
    private readonly onError: (err: unknown) => void,
  ) {
    this.chain = readFile(cursorPath, 'utf8')
      .then((t) => void (this.cursor = JSON.parse(t) as Cursor))
      .catch(() => undefined);
  }

  /** Ships as the spool grows (a directory watch, and a slow poll for what it misses). */
  start(): void {
    try {
      // The driver's own files and the cursor live in the same directory: only the spool counts.
      const spool = basename(this.spool);
      this.watcher = watch(dirname(this.spool), (_e, f) => {
        if (!f || f === spool) void this.pump();
      });
      this.watcher.on('error', () => undefined);
    } catch {
      // the poll below still ships
    }
    this.timer = setInterval(() => void this.pump(), 1000);
    this.timer.unref();
    void this.pump();
  }

  /** Ships everything written so far; calls are serialised. */
  pump(): Promise<void> {
    this.chain = this.chain.then(() => this.pumpOnce()).catch(this.onError);
    return this.chain;
  }

  /** Has the shipper left every older spool file (so rotating the live one loses nothing)? */
  async onLiveFile(): Promise<boolean> {
    await this.chain;
    const st = await stat(this.spool).catch(() => undefined);
    return !st || st.ino === this.cursor.ino;
  }

  /** Drains the spool, stops watching and closes the sink. */
  async finish(): Promise<void> {
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
    await this.pump();
    await this.sink.close().catch(this.onError);
  }

  private async pumpOnce(): Promise<void> {
    const st = await stat(this.spool).catch(() => undefined);
    if (!st) return;
    if (st.ino !== this.cursor.ino) {
      // Rotated (or first run): finish the old file, now spool.1, then start on the new one.
      const old = await stat(`${this.spool}.1`).catch(() => undefined);
      if (this.cursor.ino && old?.ino === this.cursor.ino) await this.shipFrom(`${this.spool}.1`);
      this.cursor = { ino: st.ino, offset: 0 };
      await this.save();
    } else if (st.size === this.cursor.offset) {
      // Nothing new: the 1 s poll of every container's spool must not read (a quiet container
      // costs a stat a second, not a 1 MiB buffer: bench/health's profile, docs/design/runtime.md).
      return;
    } else if (st.size < this.cursor.offset) this.cursor.offset = 0;
    await this.shipFrom(this.spool);
  }

  private async shipFrom(path: string): Promise<void> {
    for (;;) {
      const buf = await readChunk(path, this.cursor.offset);
      const { entries, used } = k8sFileDecoder.decode(buf);
      if (!used) return;
      if (entries.length) await this.sink.write(entries);
      this.cursor.offset += used;
      await this.save();
      if (buf.length < CHUNK) return;
    }
  }

  private async save(): Promise<void> {
    // Saved after every chunk: not fsynced (a power cut costs a few re-shipped lines, not a
    // torn cursor).
    await writeFileAtomic(this.cursorPath, JSON.stringify(this.cursor), { durable: false });
  }
}
