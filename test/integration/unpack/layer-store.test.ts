// Unpacks real layers as root: ownership, device nodes, whiteouts, xattrs, hostile entries,
// concurrency and zstd.
import { existsSync } from 'node:fs';
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  utimes,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayerStore } from '../../../agent/image/layers/index.js';
import { getXattr } from '../../../agent/image/unpack/index.js';
import {
  buildLayerTar,
  DEFAULT_MTIME,
  hostileLayers,
  type LayerEntry,
} from '../../harness/image-builder.js';
import { baseLayer, LONG, NET_RAW_CAP, topLayer } from './fixtures.js';

describe('LayerStore (root)', () => {
  let root: string;
  let sentinelDir: string;
  let store: LayerStore;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'flotilla-layers-'));
    sentinelDir = await mkdtemp(join(tmpdir(), 'flotilla-sentinel-'));
    store = new LayerStore(root);
    await store.init();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(sentinelDir, { recursive: true, force: true });
  });

  it('unpacks a base layer preserving modes, owners, times, links and special files', async () => {
    const blob = await buildLayerTar(baseLayer);
    const res = await store.applyLayer(undefined, Readable.from([blob.bytes]), blob.diffId);
    expect(res.chainId).toBe(blob.diffId);
    expect(res.diffId).toBe(blob.diffId);
    const dir = store.layerDir(res.chainId);
    expect((await stat(join(dir, 'tmp'))).mode & 0o7777).toBe(0o1777);
    const su = await stat(join(dir, 'usr/bin/su'));
    expect(su.mode & 0o7777).toBe(0o4755);
    const wall = await stat(join(dir, 'usr/bin/wall'));
    expect(wall.mode & 0o7777).toBe(0o2755);
    expect(wall.gid).toBe(5);
    const data = await stat(join(dir, 'opt/app/data'));
    expect([data.uid, data.gid, data.mode & 0o7777]).toEqual([1000, 1000, 0o750]);
    expect(data.mtime.getTime()).toBe(DEFAULT_MTIME.getTime());
    expect((await stat(join(dir, 'etc'))).mtime.getTime()).toBe(DEFAULT_MTIME.getTime());
    expect(await readlink(join(dir, 'usr/bin/sh'))).toBe('/bin/busybox');
    const orig = await stat(join(dir, 'data/shared/original'));
    const hl = await stat(join(dir, 'data/other/hardlink'));
    expect(hl.ino).toBe(orig.ino);
    expect(orig.nlink).toBe(2);
    expect([orig.uid, orig.mode & 0o777]).toEqual([33, 0o640]);
    expect((await lstat(join(dir, 'data/pipe'))).isFIFO()).toBe(true);
    const nul = await lstat(join(dir, 'data/null'));
    expect(nul.isCharacterDevice()).toBe(true);
    expect(nul.rdev).toBe((1 << 8) | 3);
    const big = await stat(join(dir, 'data/bigid'));
    expect([big.uid, big.gid]).toEqual([3000000, 3000001]);
    expect((await getXattr(join(dir, 'data/xattr'), 'user.flotilla'))?.toString()).toBe('yes');
    expect(await getXattr(join(dir, `data/${LONG}/ping`), 'security.capability')).toEqual(
      Buffer.from(NET_RAW_CAP),
    );
    expect(
      await readFile(join(dir, `deep/${LONG}/${LONG}/file-with-a-long-name.txt`), 'utf8'),
    ).toBe('long path');
    expect(res.sizeBytes).toBeGreaterThan(0);
    expect((await store.list()).map((l) => l.chainId)).toEqual([res.chainId]);
  });

  it('converts whiteouts and opaque markers and copies implicit parents from the lower layer', async () => {
    const base = await buildLayerTar(baseLayer);
    const top = await buildLayerTar(topLayer);
    const res = await store.applyLayer(base.diffId, Readable.from([top.bytes]), top.diffId);
    const dir = store.layerDir(res.chainId);
    const wh = await lstat(join(dir, 'etc/hostname'));
    expect(wh.isCharacterDevice()).toBe(true);
    expect(wh.rdev).toBe(0);
    expect(existsSync(join(dir, 'etc/.wh.hostname'))).toBe(false);
    expect((await getXattr(join(dir, 'opt/app/data'), 'trusted.overlay.opaque'))?.toString()).toBe(
      'y',
    );
    expect(existsSync(join(dir, 'opt/app/data/.wh..wh..opq'))).toBe(false);
    const tmpDir = await stat(join(dir, 'tmp'));
    expect(tmpDir.mode & 0o7777).toBe(0o1777);
    const data = await stat(join(dir, 'opt/app/data'));
    expect([data.uid, data.gid, data.mode & 0o7777]).toEqual([1000, 1000, 0o750]);
    expect((await store.lowerChain(res.chainId)).map((l) => l.chainId)).toEqual([
      res.chainId,
      base.diffId,
    ]);
  });

  it('rejects a layer whose diff id does not match and leaves nothing behind', async () => {
    const blob = await buildLayerTar([{ type: 'file', path: 'x', content: 'x' }]);
    const other = await buildLayerTar([{ type: 'file', path: 'y', content: 'y' }]);
    const before = await readdir(store.layersDir);
    await expect(
      store.applyLayer(undefined, Readable.from([blob.bytes]), other.diffId),
    ).rejects.toMatchObject({
      code: 'LAYER_DIFF_ID_MISMATCH',
    });
    expect(await readdir(store.layersDir)).toEqual(before);
  });

  for (const kind of [
    'dotdot',
    'absolute',
    'symlinkEscape',
    'hardlinkEscape',
    'symlinkParent',
  ] as const) {
    it(`refuses the hostile layer "${kind}" naming the entry and writes nothing outside`, async () => {
      const sentinel = join(sentinelDir, `pwned-${kind}`);
      const entries = hostileLayers(sentinel)[kind];
      const blob = await buildLayerTar(entries);
      const before = await readdir(store.layersDir);
      const err = await store
        .applyLayer(undefined, Readable.from([blob.bytes]))
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'LAYER_UNSAFE_ENTRY' });
      const offending =
        entries[entries.length - 1].type === 'opaque'
          ? ''
          : (entries[entries.length - 1] as { path: string }).path;
      expect((err as { params: { entry: string } }).params.entry).toBe(offending);
      expect(existsSync(sentinel)).toBe(false);
      expect(await readdir(store.layersDir)).toEqual(before);
    });
  }

  it('refuses a write through a directory that an earlier entry replaced with a symlink', async () => {
    const sentinel = join(sentinelDir, 'pwned-replaced');
    const blob = await buildLayerTar([
      { type: 'dir', path: 'a' },
      { type: 'file', path: 'a/first', content: 'ok' },
      { type: 'symlink', path: 'a', target: sentinelDir },
      { type: 'file', path: 'a/pwned-replaced', content: 'pwned' },
    ]);
    await expect(store.applyLayer(undefined, Readable.from([blob.bytes]))).rejects.toMatchObject({
      code: 'LAYER_UNSAFE_ENTRY',
      params: { entry: 'a/pwned-replaced' },
    });
    expect(existsSync(sentinel)).toBe(false);
  });

  it('never applies deferred directory times through a symlink planted later in the layer', async () => {
    // A host directory with a known past mtime; the layer's dirs carry another one.
    const host = join(sentinelDir, 'host-times');
    await mkdir(join(host, 'sub'), { recursive: true });
    const hostTime = new Date('2001-02-03T04:05:06Z');
    await utimes(join(host, 'sub'), hostTime, hostTime);
    await utimes(host, hostTime, hostTime);
    const layerTime = new Date('1999-09-09T09:09:09Z');
    const blob = await buildLayerTar([
      { type: 'dir', path: 'a', mtime: layerTime },
      { type: 'dir', path: 'a/sub', mtime: layerTime },
      { type: 'symlink', path: 'a', target: host },
      { type: 'file', path: 'b/c/f', content: 'implicit parents' },
      { type: 'symlink', path: 'b', target: host },
    ]);
    const info = await store.applyLayer(undefined, Readable.from([blob.bytes]));
    const diff = store.layerDir(info.chainId);
    expect(await readlink(join(diff, 'a'))).toBe(host);
    expect((await stat(host)).mtime).toEqual(hostTime);
    expect((await stat(join(host, 'sub'))).mtime).toEqual(hostTime);
    expect((await stat(host)).mode & 0o7777).toBe(0o755);
  });

  it('refuses trusted.* xattrs from the tar', async () => {
    const blob = await buildLayerTar([
      { type: 'dir', path: 'd', pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y' } },
    ]);
    await expect(store.applyLayer(undefined, Readable.from([blob.bytes]))).rejects.toMatchObject({
      code: 'LAYER_UNSAFE_ENTRY',
      params: { entry: 'd' },
    });
  });

  it('ends with one good directory when the same layer is applied 5 times at once', async () => {
    const entries: LayerEntry[] = Array.from({ length: 50 }, (_, i) => ({
      type: 'file' as const,
      path: `many/f${i}`,
      content: `content ${i}`.repeat(100),
    }));
    const blob = await buildLayerTar(entries);
    const chunked = () => Readable.from([blob.bytes.subarray(0, 100), blob.bytes.subarray(100)]);
    const results = await Promise.all([
      store.applyLayer(undefined, chunked(), blob.diffId),
      store.applyLayer(undefined, chunked()),
      store.applyLayer(undefined, chunked(), blob.diffId),
      store.applyLayer(undefined, chunked()),
      store.applyLayer(undefined, chunked(), blob.diffId),
    ]);
    expect(new Set(results.map((r) => r.chainId))).toEqual(new Set([blob.diffId]));
    const dir = store.layerDir(blob.diffId);
    expect((await readdir(join(dir, 'many'))).length).toBe(50);
    expect(await readFile(join(dir, 'many/f7'), 'utf8')).toBe('content 7'.repeat(100));
    expect((await readdir(store.layersDir)).filter((n) => n.startsWith('tmp-'))).toEqual([]);
  });

  it('unpacks zstd and plain layers', async () => {
    for (const compression of ['zstd', 'none'] as const) {
      const blob = await buildLayerTar(
        [{ type: 'file', path: `${compression}.txt`, content: compression }],
        {
          compression,
        },
      );
      const res = await store.applyLayer(undefined, Readable.from([blob.bytes]), blob.diffId);
      expect(await readFile(join(store.layerDir(res.chainId), `${compression}.txt`), 'utf8')).toBe(
        compression,
      );
    }
  });

  it('removes a layer', async () => {
    const blob = await buildLayerTar([{ type: 'file', path: 'gone', content: 'bye' }]);
    const res = await store.applyLayer(undefined, Readable.from([blob.bytes]));
    expect(await store.has(res.chainId)).toBe(true);
    expect(await store.removeLayer(res.chainId)).toBe(true);
    expect(await store.has(res.chainId)).toBe(false);
    expect(existsSync(store.layerDir(res.chainId))).toBe(false);
    expect(await store.removeLayer(res.chainId)).toBe(false);
  });
});
