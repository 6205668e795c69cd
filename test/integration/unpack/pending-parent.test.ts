// Layers unpacked at the same time as their parent (as a pull does): implicit parent dirs still
// take the lower layer's metadata, a layer is placed only after its parent, and a failed or
// unknown parent fails the child with nothing left behind.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainIdOf } from '../../../agent/image/layers/chain-id.js';
import { LayerStore } from '../../../agent/image/layers/index.js';
import { buildLayerTar, DEFAULT_MTIME } from '../../harness/image-builder.js';

describe('LayerStore with a parent still unpacking (root)', () => {
  let root: string;
  let store: LayerStore;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'flotilla-pending-'));
    store = new LayerStore(root);
    await store.init();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('unpacks a child while its parent is in flight and copies implicit parents from it', async () => {
    const base = await buildLayerTar([
      { type: 'dir', path: 'tmp', mode: 0o1777 },
      { type: 'dir', path: 'srv', mode: 0o750, uid: 7, gid: 8 },
    ]);
    const top = await buildLayerTar([
      { type: 'file', path: 'tmp/scratch', content: 'x' },
      { type: 'file', path: 'srv/data', content: 'y' },
      // Explicit later in the tar: its own metadata wins over the lower layer's.
      { type: 'dir', path: 'srv', mode: 0o700, uid: 9, gid: 9 },
    ]);
    // The parent's bytes arrive only after the child is done extracting.
    const slowBase = new PassThrough();
    const parent = store.applyLayer(undefined, slowBase, base.diffId);
    const child = store.applyLayer(base.diffId, Readable.from([top.bytes]), top.diffId);
    let childDone = false;
    void child.then(() => (childDone = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(childDone).toBe(false);
    expect(await store.has(chainIdOf(base.diffId, top.diffId))).toBe(false);
    slowBase.end(base.bytes);
    await parent;
    const res = await child;
    const dir = store.layerDir(res.chainId);
    const tmp = await stat(join(dir, 'tmp'));
    expect(tmp.mode & 0o7777).toBe(0o1777);
    expect(tmp.mtime.getTime()).toBe(DEFAULT_MTIME.getTime());
    const srv = await stat(join(dir, 'srv'));
    expect([srv.mode & 0o7777, srv.uid, srv.gid]).toEqual([0o700, 9, 9]);
  });

  it('fails the child when the parent fails, leaving no layer of either', async () => {
    const base = await buildLayerTar([{ type: 'file', path: 'a', content: 'a' }]);
    const top = await buildLayerTar([{ type: 'file', path: 'd/b', content: 'b' }]);
    const wrongDiffId = `sha256:${'1'.repeat(64)}`;
    const parent = store.applyLayer(undefined, Readable.from([base.bytes]), wrongDiffId);
    const child = store.applyLayer(wrongDiffId, Readable.from([top.bytes]), top.diffId);
    await expect(parent).rejects.toMatchObject({ code: 'LAYER_DIFF_ID_MISMATCH' });
    // The child reports why its parent is missing.
    await expect(child).rejects.toMatchObject({ code: 'LAYER_DIFF_ID_MISMATCH' });
    expect(await store.has(chainIdOf(wrongDiffId, top.diffId))).toBe(false);
    expect((await readdir(store.layersDir)).filter((n) => n.startsWith('tmp-'))).toEqual([]);
  });

  it('refuses a parent that is neither unpacked nor in flight before extracting', async () => {
    const top = await buildLayerTar([{ type: 'file', path: 'c', content: 'c' }]);
    const unknown = `sha256:${'2'.repeat(64)}`;
    await expect(
      store.applyLayer(unknown, Readable.from([top.bytes]), top.diffId),
    ).rejects.toMatchObject({ code: 'LAYER_NOT_FOUND' });
    expect(existsSync(store.layerDir(chainIdOf(unknown, top.diffId)))).toBe(false);
  });
});
