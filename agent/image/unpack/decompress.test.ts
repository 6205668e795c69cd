import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { decompressLayer, detectCompression } from './decompress.js';

async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('layer decompression', () => {
  const savedPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = savedPath;
  });

  it('detects the format by magic bytes', () => {
    expect(detectCompression(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('gzip');
    expect(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd');
    expect(detectCompression(Buffer.from('ustar'))).toBe('none');
    expect(detectCompression(Buffer.alloc(0))).toBe('none');
  });

  it('gunzips gzip and passes plain bytes through, whatever the chunking', async () => {
    const plain = Buffer.from('plain tar bytes '.repeat(100));
    const gz = gzipSync(plain);
    const g = await decompressLayer(
      Readable.from([gz.subarray(0, 1), gz.subarray(1, 3), gz.subarray(3)]),
      'l',
    );
    expect(g.compression).toBe('gzip');
    expect(await readAll(g.tar)).toEqual(plain);
    const p = await decompressLayer(Readable.from([plain.subarray(0, 2), plain.subarray(2)]), 'l');
    expect(p.compression).toBe('none');
    expect(await readAll(p.tar)).toEqual(plain);
  });

  it('reports a zstd layer as unsupported when the zstd program is missing', async () => {
    process.env.PATH = '/nonexistent';
    const z = await decompressLayer(
      Readable.from([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0])]),
      'sha256:abc',
    );
    await expect(readAll(z.tar)).rejects.toMatchObject({ code: 'UNSUPPORTED_LAYER_MEDIA_TYPE' });
  });
});
