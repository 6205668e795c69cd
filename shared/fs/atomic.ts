// Writes a file so that readers, and the file system after a crash, see either the old content or
// the new one, never a torn or empty file: the one atomic-write helper of the code base.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Permission bits of the written file, applied exactly (not filtered by the umask). @default 0o600 */
  mode?: number;
  /**
   * fsync the file and its directory (the default). Off only for files that are rewritten very
   * often and cheap to lose after a power cut (a log shipper's cursor): a rename without fsync is
   * still atomic for readers, just not durable.
   */
  durable?: boolean;
}

export type AtomicData = string | Uint8Array | AsyncIterable<string | Uint8Array>;

/**
 * Writes `data` to a uniquely named temporary file in the target's directory (so the rename stays on
 * one file system and concurrent writers never share a temporary file), fsyncs it, renames it over
 * `path` and fsyncs the directory, so the rename itself survives a power loss. On failure the
 * temporary file is removed and `path` keeps its old content.
 */
export async function writeFileAtomic(
  path: string,
  data: AtomicData,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const mode = opts.mode ?? 0o600;
  const dir = dirname(path);
  const tmp = tempPath(path);
  const durable = opts.durable ?? true;
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.chmod(mode);
      if (typeof data === 'string' || data instanceof Uint8Array) await fh.writeFile(data);
      // writeFile writes at the handle's position, so the chunks follow one another.
      else for await (const chunk of data) await fh.writeFile(chunk);
      if (durable) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  if (durable) await syncDir(dir);
}

/** writeFileAtomic for synchronous code (CLI commands, start-up): the same guarantees. */
export function writeFileAtomicSync(
  path: string,
  data: string | Uint8Array,
  opts: AtomicWriteOptions = {},
): void {
  const mode = opts.mode ?? 0o600;
  const tmp = tempPath(path);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      fchmodSync(fd, mode);
      writeFileSync(fd, data);
      if (opts.durable ?? true) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  if (opts.durable ?? true) {
    const fd = openSync(dirname(path), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** A temporary name unique per write, in the target's directory (one file system for rename). */
function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** fsync of a directory makes a rename in it durable. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
