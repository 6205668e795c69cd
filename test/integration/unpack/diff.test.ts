// Layer diffs as root: an unpacked layer round-trips through diffUpper, and changes made in a
// mounted overlay come back as whiteouts, opaque markers and new files.
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffUpper, tarDirectory } from '../../../agent/image/diff/index.js';
import { LayerStore } from '../../../agent/image/layers/index.js';
import { OverlaySnapshotter } from '../../../agent/image/snapshot/index.js';
import { getXattr, listXattrs } from '../../../agent/image/unpack/index.js';
import { buildLayerTar } from '../../harness/image-builder.js';
import { baseLayer, topLayer } from './fixtures.js';

const xattr = createRequire(import.meta.url)('@napi-rs/xattr') as {
  setAttribute(path: string, name: string, value: Buffer): Promise<void>;
};
/** An xattr value that UTF-8 text would corrupt. */
const BINARY = Buffer.from([0xff, 0x00, 0x80, 0x0a, 0xc3, 0x28]);

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function entryNames(tarBytes: Buffer): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const ex = tar.extract();
  const done = (async () => {
    for await (const e of ex) {
      out.set(e.header.name.replace(/\/$/, ''), e.header.type);
      e.resume();
    }
  })();
  ex.end(tarBytes);
  await done;
  return out;
}

/** A comparable description of a tree: type, mode, owner, mtime, content or target per path. */
async function describeTree(dir: string, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(join(dir, rel))).sort()) {
    const p = rel ? `${rel}/${name}` : name;
    const st = await lstat(join(dir, p));
    let what: string;
    if (st.isFile())
      what = `file:${(await readFile(join(dir, p))).toString('base64')}:nlink=${st.nlink}`;
    else if (st.isSymbolicLink()) what = `link:${await readlink(join(dir, p))}`;
    else if (st.isDirectory())
      what = `dir:opaque=${(await getXattr(join(dir, p), 'trusted.overlay.opaque'))?.toString() ?? ''}`;
    else what = `special:${st.mode >> 12}:${st.rdev}`;
    const mtime = st.isSymbolicLink() ? '' : String(Math.floor(st.mtimeMs / 1000));
    const xattrs: string[] = [];
    for (const x of (await listXattrs(join(dir, p))).sort()) {
      if (!x.startsWith('trusted.'))
        xattrs.push(`${x}=${(await getXattr(join(dir, p), x))?.toString('hex')}`);
    }
    out[p] = `${what}:${st.mode & 0o7777}:${st.uid}:${st.gid}:${mtime}:${xattrs.join(',')}`;
    if (st.isDirectory()) Object.assign(out, await describeTree(dir, p));
  }
  return out;
}

describe('diffUpper and tarDirectory (root)', () => {
  let root: string;
  let layers: LayerStore;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'flotilla-diff-'));
    layers = new LayerStore(root);
    await layers.init();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('round-trips a layer: build, unpack, diff, unpack again gives the same tree', async () => {
    const base = await buildLayerTar(baseLayer);
    const b = await layers.applyLayer(undefined, Readable.from([base.bytes]), base.diffId);
    const top = await buildLayerTar(topLayer);
    const t = await layers.applyLayer(b.chainId, Readable.from([top.bytes]), top.diffId);

    for (const chainId of [b.chainId, t.chainId]) {
      const info = await layers.get(chainId);
      const tarBytes = await collect(diffUpper(layers.layerDir(chainId)));
      const other = new LayerStore(join(root, `again-${chainId.slice(7, 15)}`));
      await other.init();
      let parent: string | undefined;
      if (info?.parentChainId) {
        parent = (await other.applyLayer(undefined, Readable.from([base.bytes]), base.diffId))
          .chainId;
      }
      const again = await other.applyLayer(parent, Readable.from([tarBytes]));
      expect(await describeTree(other.layerDir(again.chainId))).toEqual(
        await describeTree(layers.layerDir(chainId)),
      );
    }
    const names = await entryNames(await collect(diffUpper(layers.layerDir(t.chainId))));
    expect(names.get('etc/.wh.hostname')).toBe('file');
    expect(names.get('opt/app/data/.wh..wh..opq')).toBe('file');
    const baseTree = await describeTree(layers.layerDir(b.chainId));
    expect(Object.values(baseTree).some((v) => v.includes('security.capability='))).toBe(true);
  });

  it('turns changes in a mounted overlay into whiteouts, opaque markers and new files', async () => {
    const base = await buildLayerTar(baseLayer);
    const b = await layers.applyLayer(undefined, Readable.from([base.bytes]), base.diffId);
    const snaps = new OverlaySnapshotter(root, layers);
    const snap = await snaps.prepare('diff1', [b.chainId]);
    try {
      await rm(join(snap.rootfs, 'etc/hostname'));
      await rm(join(snap.rootfs, 'opt/app/data'), { recursive: true });
      await mkdir(join(snap.rootfs, 'opt/app/data'));
      await writeFile(join(snap.rootfs, 'opt/app/data/fresh'), 'fresh');
      await writeFile(join(snap.rootfs, 'etc/added'), 'added');
      await xattr.setAttribute(join(snap.rootfs, 'etc/added'), 'user.bin', BINARY);
      await snaps.unmount('diff1');
      const names = await entryNames(await collect(diffUpper(snap.upperDir)));
      expect(names.get('etc/.wh.hostname')).toBe('file');
      expect(names.get('opt/app/data/.wh..wh..opq')).toBe('file');
      expect(names.get('opt/app/data/fresh')).toBe('file');
      expect(names.get('etc/added')).toBe('file');
      expect(names.has('etc/passwd')).toBe(false);

      // The diff applies as a new layer and the result shows the same view.
      const diffBytes = await collect(diffUpper(snap.upperDir));
      const c = await layers.applyLayer(b.chainId, Readable.from([diffBytes]));
      expect(await getXattr(join(layers.layerDir(c.chainId), 'etc/added'), 'user.bin')).toEqual(
        BINARY,
      );
      const snap2 = await snaps.prepare('diff2', [b.chainId, c.chainId]);
      expect(await readdir(join(snap2.rootfs, 'opt/app/data'))).toEqual(['fresh']);
      expect((await readdir(join(snap2.rootfs, 'etc'))).sort()).toEqual(['added', 'passwd']);

      // tarDirectory of the merged view has the files and no whiteouts.
      const exported = await entryNames(await collect(tarDirectory(snap2.rootfs)));
      expect(exported.get('etc/added')).toBe('file');
      expect(exported.has('etc/hostname')).toBe(false);
      expect([...exported.keys()].some((n) => n.includes('.wh.'))).toBe(false);
      expect(exported.get('data/null')).toBe('character-device');
    } finally {
      await snaps.remove('diff1');
      await snaps.remove('diff2');
    }
  });
});
