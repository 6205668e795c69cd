import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsContentStore } from './fs-content-store.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('FsContentStore', () => {
  let root: string;
  let store: FsContentStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'flotilla-content-'));
    store = new FsContentStore(root);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stores a verified blob and reads it back', async () => {
    const bytes = Buffer.from('hello blob');
    const res = await store.ingest(
      { digest: sha(bytes), size: bytes.length },
      Readable.from([bytes]),
    );
    expect(res).toEqual({ digest: sha(bytes), size: bytes.length });
    expect(await store.has(sha(bytes))).toBe(true);
    expect((await store.readAll(sha(bytes))).toString()).toBe('hello blob');
    const chunks: Buffer[] = [];
    for await (const c of await store.openRead(sha(bytes))) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello blob');
    expect(await store.list()).toEqual([{ digest: sha(bytes), sizeBytes: bytes.length }]);
    expect(await readdir(join(root, 'ingest'))).toEqual([]);
  });

  it('computes the digest when none is expected', async () => {
    const bytes = Buffer.from('x'.repeat(5000));
    const res = await store.ingest(
      undefined,
      Readable.from([bytes.subarray(0, 10), bytes.subarray(10)]),
    );
    expect(res.digest).toBe(sha(bytes));
  });

  it('leaves nothing behind on a digest mismatch', async () => {
    const bytes = Buffer.from('abc');
    const wrong = sha(Buffer.from('abd'));
    await expect(
      store.ingest({ digest: wrong, size: 3 }, Readable.from([bytes])),
    ).rejects.toMatchObject({
      code: 'CONTENT_DIGEST_MISMATCH',
    });
    expect(await store.has(wrong)).toBe(false);
    expect(await store.list()).toEqual([]);
    expect(await readdir(join(root, 'ingest'))).toEqual([]);
  });

  it('rejects short and long bodies with a size mismatch', async () => {
    const bytes = Buffer.from('abcdef');
    await expect(
      store.ingest({ digest: sha(bytes), size: 7 }, Readable.from([bytes])),
    ).rejects.toMatchObject({ code: 'CONTENT_SIZE_MISMATCH' });
    await expect(
      store.ingest({ digest: sha(bytes), size: 5 }, Readable.from([bytes])),
    ).rejects.toMatchObject({ code: 'CONTENT_SIZE_MISMATCH' });
    expect(await readdir(join(root, 'ingest'))).toEqual([]);
  });

  it('refuses digests that are not sha256 hex before building a path', async () => {
    expect(() => store.blobPath('sha256:../../etc/passwd')).toThrow(/invalid digest/);
    await expect(store.has('md5:abc')).rejects.toMatchObject({ code: 'CONTENT_INVALID_DIGEST' });
  });

  it('survives concurrent ingests of the same digest', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024, 7);
    const exp = { digest: sha(bytes), size: bytes.length };
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        store.ingest(exp, Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)])),
      ),
    );
    expect(results.every((r) => r.digest === exp.digest)).toBe(true);
    expect((await store.readAll(exp.digest, { maxBytes: bytes.length })).equals(bytes)).toBe(true);
    expect(await readdir(join(root, 'ingest'))).toEqual([]);
  });

  it('supports tee-style ingest through a writable', async () => {
    const bytes = Buffer.from('tee me');
    const h = store.ingestStream({ digest: sha(bytes), size: bytes.length });
    h.writable.write(bytes.subarray(0, 2));
    h.writable.end(bytes.subarray(2));
    await expect(h.done).resolves.toEqual({ digest: sha(bytes), size: bytes.length });
    const h2 = store.ingestStream();
    h2.writable.write(Buffer.from('partial'));
    h2.abort();
    await expect(h2.done).rejects.toThrow();
    expect(await readdir(join(root, 'ingest'))).toEqual([]);
  });

  it('caps readAll and reports missing blobs as not found', async () => {
    const bytes = Buffer.alloc(100);
    await store.ingest(undefined, Readable.from([bytes]));
    await expect(store.readAll(sha(bytes), { maxBytes: 10 })).rejects.toMatchObject({
      code: 'CONTENT_TOO_LARGE',
    });
    await expect(store.stat(sha(Buffer.from('nope')))).rejects.toMatchObject({
      code: 'CONTENT_NOT_FOUND',
    });
    expect(await store.delete(sha(bytes))).toBe(true);
    expect(await store.delete(sha(bytes))).toBe(false);
  });
});
