// Opening layer files decompressed, whatever their compression: the format is detected by magic
// bytes (gzip 1f 8b, zstd 28 b5 2f fd), never by name or media type.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export type Compression = 'gzip' | 'zstd' | 'none';

export async function detectFile(path: string): Promise<Compression> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return detect(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

export function detect(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return 'zstd';
  return 'none';
}

/** The uncompressed bytes of a layer file. */
export async function openDecompressed(path: string): Promise<Readable> {
  const kind = await detectFile(path);
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  if (kind === 'gzip') {
    const gz = createGunzip({ chunkSize: 1 << 18 });
    raw.on('error', (e) => gz.destroy(e));
    return raw.pipe(gz);
  }
  if (kind === 'zstd') {
    // Node 20 has no zstd; the zstd binary is a declared dependency (deploy/install-deps.sh).
    const child = spawn('zstd', ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const out = new PassThrough();
    raw.pipe(child.stdin);
    child.stdout.pipe(out, { end: false });
    child.on('close', (code) => {
      if (code === 0) out.end();
      else out.destroy(new Error(`zstd -dc exited with ${code}`));
    });
    child.on('error', (e) => out.destroy(e));
    return out;
  }
  return raw;
}
