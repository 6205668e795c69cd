// Overlay snapshots over unpacked layers, as root: the merged view honours whiteouts and opaque
// dirs, metadata survives, 120 layers fit in one mount, and snapshots clean up after themselves.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainIds, LayerStore } from '../../../agent/image/layers/index.js';
import { OverlaySnapshotter } from '../../../agent/image/snapshot/index.js';
import { buildLayerTar, DEFAULT_MTIME, type LayerEntry } from '../../harness/image-builder.js';
import { baseLayer, topLayer } from './fixtures.js';

async function mounted(path: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((l) => l.split(' ')[4] === path);
}

async function applyAll(store: LayerStore, layers: LayerEntry[][]): Promise<string[]> {
  const diffIds: string[] = [];
  let parent: string | undefined;
  for (const entries of layers) {
    const blob = await buildLayerTar(entries);
    parent = (await store.applyLayer(parent, Readable.from([blob.bytes]), blob.diffId)).chainId;
    diffIds.push(blob.diffId);
  }
  return chainIds(diffIds);
}

describe('OverlaySnapshotter (root)', () => {
  let root: string;
  let layers: LayerStore;
  let snaps: OverlaySnapshotter;
  const ids: string[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'flotilla-snap-'));
    layers = new LayerStore(root);
    await layers.init();
    snaps = new OverlaySnapshotter(root, layers);
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const id of ids) await snaps.remove(id).catch(() => {});
    await rm(root, { recursive: true, force: true });
  });

  it('shows the merged view: whiteouts delete, opaque dirs hide lower entries, metadata kept', async () => {
    const chain = await applyAll(layers, [baseLayer, topLayer]);
    ids.push('c1');
    const snap = await snaps.prepare('c1', chain);
    const r = snap.rootfs;
    expect(await mounted(r)).toBe(true);
    expect(existsSync(join(r, 'etc/hostname'))).toBe(false);
    expect(await readFile(join(r, 'etc/passwd'), 'utf8')).toContain('root');
    expect(await readFile(join(r, 'etc/motd'), 'utf8')).toBe('hello');
    expect((await readdir(join(r, 'opt/app/data'))).sort()).toEqual(['new.txt']);
    expect((await stat(join(r, 'tmp'))).mode & 0o7777).toBe(0o1777);
    expect(await readFile(join(r, 'tmp/scratch'), 'utf8')).toBe('scratch');
    expect((await stat(join(r, 'usr/bin/su'))).mode & 0o7777).toBe(0o4755);
    const data = await stat(join(r, 'opt/app/data'));
    expect([data.uid, data.gid, data.mode & 0o7777]).toEqual([1000, 1000, 0o750]);
    expect((await stat(join(r, 'usr/bin'))).mtime.getTime()).toBe(DEFAULT_MTIME.getTime());
    expect(await readlink(join(r, 'usr/bin/sh'))).toBe('/bin/busybox');
    expect((await lstat(join(r, 'data/pipe'))).isFIFO()).toBe(true);
    expect((await stat(join(r, 'data/other/hardlink'))).ino).toBe(
      (await stat(join(r, 'data/shared/original'))).ino,
    );

    // Writes land in the upper dir only.
    await writeFile(join(r, 'etc/new-file'), 'written');
    expect(await readFile(join(snap.upperDir, 'etc/new-file'), 'utf8')).toBe('written');
    expect(existsSync(join(layers.layerDir(chain[1]), 'etc/new-file'))).toBe(false);

    // Idempotent: prepare and mount again return the same mounted snapshot.
    expect(await snaps.prepare('c1', chain)).toEqual(snap);
    expect(await snaps.mount('c1')).toEqual(snap);

    // Unmount keeps the upper dir; mount brings the writes back.
    await snaps.unmount('c1');
    await snaps.unmount('c1');
    expect(await mounted(r)).toBe(false);
    await snaps.mount('c1');
    expect(await readFile(join(r, 'etc/new-file'), 'utf8')).toBe('written');

    await snaps.remove('c1');
    await snaps.remove('c1');
    expect(await mounted(r)).toBe(false);
    expect(existsSync(snaps.snapshotDir('c1'))).toBe(false);
  });

  it('mounts an image with no layers on an empty lower dir', async () => {
    ids.push('empty1');
    const snap = await snaps.prepare('empty1', []);
    expect(await readdir(snap.rootfs)).toEqual([]);
    await writeFile(join(snap.rootfs, 'f'), 'x');
    expect(await readdir(snap.upperDir)).toEqual(['f']);
    await snaps.remove('empty1');
  });

  it('mounts an image of 120 layers within the one-page option limit', async () => {
    const many: LayerEntry[][] = Array.from({ length: 120 }, (_, i) => [
      { type: 'file', path: `layer-${String(i).padStart(3, '0')}`, content: String(i) },
      { type: 'file', path: 'top', content: String(i) },
    ]);
    const chain = await applyAll(layers, many);
    expect(Buffer.byteLength(snaps.overlayOptions('many-layers', chain))).toBeLessThan(4096);
    ids.push('many-layers');
    const snap = await snaps.prepare('many-layers', chain);
    const names = await readdir(snap.rootfs);
    expect(names.filter((n) => n.startsWith('layer-'))).toHaveLength(120);
    expect(await readFile(join(snap.rootfs, 'top'), 'utf8')).toBe('119');
    await snaps.remove('many-layers');
  });

  it('removes a snapshot whose rootfs is busy with a lazy unmount', async () => {
    const chain = await applyAll(layers, [baseLayer]);
    ids.push('busy1');
    const snap = await snaps.prepare('busy1', chain);
    const child = spawn('sleep', ['300'], { cwd: join(snap.rootfs, 'etc'), stdio: 'ignore' });
    children.push(child);
    await new Promise((r) => child.once('spawn', r));
    await expect(snaps.unmount('busy1')).rejects.toMatchObject({ code: 'SNAPSHOT_UNMOUNT_FAILED' });
    await snaps.remove('busy1');
    expect(await mounted(snap.rootfs)).toBe(false);
    expect(existsSync(snaps.snapshotDir('busy1'))).toBe(false);
    child.kill('SIGKILL');
  });

  it('refuses unknown layers and bad container ids', async () => {
    await expect(snaps.prepare('x1', [`sha256:${'0'.repeat(64)}`])).rejects.toMatchObject({
      code: 'LAYER_NOT_FOUND',
    });
    await expect(snaps.prepare('../evil', [])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(snaps.mount('nothing-here')).rejects.toMatchObject({ code: 'SNAPSHOT_NOT_FOUND' });
  });
});
