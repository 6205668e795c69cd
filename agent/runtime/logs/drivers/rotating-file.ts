// An append-only log file that rotates itself past `max-size`, as Docker's file drivers do: the
// live file becomes path.1 (older copies shift up, the one beyond `max-file` goes), gzip-compressed
// to path.1.gz when `compress` is set. Only the agent writes these files, so no one must reopen.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export interface FileLimits {
  /** 0 = never rotate. */
  maxSizeBytes: number;
  /** Files kept, the live one included (≥ 1). */
  maxFiles: number;
  compress: boolean;
}

export class RotatingFile {
  private fh?: FileHandle;
  private size = 0;

  constructor(
    readonly path: string,
    private readonly limits: FileLimits,
  ) {}

  async append(buf: Buffer): Promise<void> {
    if (!this.fh) await this.openFile();
    // Docker checks before each write, so a file may pass max-size by one entry.
    if (this.limits.maxSizeBytes && this.size > 0 && this.size >= this.limits.maxSizeBytes)
      await this.rotate();
    await this.fh!.write(buf);
    this.size += buf.length;
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
  }

  private async openFile(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    this.fh = await open(this.path, 'a', 0o600);
    this.size = (await this.fh.stat()).size;
  }

  private async rotate(): Promise<void> {
    await this.close();
    const { maxFiles, compress } = this.limits;
    if (maxFiles > 1) {
      const name = (i: number) => `${this.path}.${i}${compress ? '.gz' : ''}`;
      await rm(name(maxFiles - 1), { force: true });
      for (let i = maxFiles - 2; i >= 1; i--)
        await rename(name(i), name(i + 1)).catch(() => undefined);
      await rename(this.path, `${this.path}.1`);
      if (compress) await gzipInPlace(`${this.path}.1`);
    } else await rm(this.path, { force: true });
    await this.openFile();
  }
}

/** path → path.gz, written beside it first so a reader never sees half a file. */
async function gzipInPlace(path: string): Promise<void> {
  const tmp = `${path}.gz.tmp`;
  await pipeline(createReadStream(path), createGzip(), createWriteStream(tmp, { mode: 0o600 }));
  await rename(tmp, `${path}.gz`);
  await rm(path, { force: true });
}
