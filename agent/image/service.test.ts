import { createHash } from 'node:crypto';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import {
  buildImage,
  buildLayerTarBytes,
  type BuiltImage,
} from '../../test/harness/image-builder.js';
import { FsContentStore } from './content/index.js';
import { chainIds } from './names.js';
import type { RegistryClient, ImageReference, Descriptor } from './registry/types.js';
import { ImageService } from './service.js';
import type { LayerApplier, ProgressEvent } from './service-types.js';

/** A registry in memory: repositories of tags → manifests, and blobs shared by the registry. */
class MemoryRegistry {
  blobs = new Map<string, Buffer>();
  manifests = new Map<string, { bytes: Buffer; mediaType: string; digest: string }>();
  blobGets = new Map<string, number>();
  mounts: string[] = [];

  add(repo: string, tag: string, img: BuiltImage): void {
    this.blobs.set(img.configDigest, img.configBytes);
    for (const l of img.layers) this.blobs.set(l.digest, l.bytes);
    this.manifests.set(`${repo}:${tag}`, {
      bytes: img.manifestBytes,
      mediaType: img.manifestMediaType,
      digest: img.manifestDigest,
    });
  }

  client(): RegistryClient {
    const key = (ref: ImageReference) => `${ref.domain}/${ref.path}:${ref.tag}`;
    return {
      resolve: async (ref) => {
        const m = this.manifests.get(key(ref));
        if (!m) throw new Error(`not found ${key(ref)}`);
        const doc = JSON.parse(m.bytes.toString()) as { config: Descriptor; layers: Descriptor[] };
        return {
          manifestDigest: m.digest,
          manifestMediaType: m.mediaType,
          manifestBytes: m.bytes,
          config: doc.config,
          layers: doc.layers,
        };
      },
      fetchSmallBlob: async (_ref, desc) => this.blobs.get(desc.digest) as Buffer,
      openBlob: (_ref, desc, opts) => {
        this.blobGets.set(desc.digest, (this.blobGets.get(desc.digest) ?? 0) + 1);
        const bytes = this.blobs.get(desc.digest) as Buffer;
        opts?.onProgress?.({
          digest: desc.digest,
          doneBytes: bytes.length,
          totalBytes: bytes.length,
        });
        return Readable.from([bytes.subarray(0, 10), bytes.subarray(10)]);
      },
      hasBlob: async (_ref, digest) => this.blobs.has(digest),
      pushBlob: async (_ref, blob, opts) => {
        if (this.blobs.has(blob.descriptor.digest)) {
          if (opts?.mountFrom) this.mounts.push(opts.mountFrom);
          return opts?.mountFrom ? 'mounted' : 'exists';
        }
        const chunks: Buffer[] = [];
        for await (const c of blob.open()) chunks.push(c as Buffer);
        this.blobs.set(blob.descriptor.digest, Buffer.concat(chunks));
        return 'uploaded';
      },
      pushManifest: async (ref, mediaType, bytes) => {
        const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
        this.manifests.set(key(ref), { bytes, mediaType, digest });
        return digest;
      },
      search: async (_domain, term) =>
        [
          ...new Set(
            [...this.manifests.keys()].map((k) => k.split('/').slice(1).join('/').split(':')[0]),
          ),
        ].filter((r) => r.includes(term)),
      login: async () => undefined,
    };
  }
}

/** Unpacks nothing: hashes the uncompressed stream and remembers the chain ids it "applied". */
class HashingLayers implements LayerApplier {
  applied = new Map<string, number>();
  async applyLayer(parent: string | undefined, stream: Readable, expectedDiffId?: string) {
    if (parent && !this.applied.has(parent)) throw new Error(`parent ${parent} not applied`);
    const head: Buffer[] = [];
    const plain = new PassThrough();
    let first = true;
    const hash = createHash('sha256');
    let size = 0;
    const sink = (async () => {
      for await (const c of plain) {
        hash.update(c as Buffer);
        size += (c as Buffer).length;
      }
    })();
    let target: NodeJS.WritableStream = plain;
    for await (const chunk of stream) {
      const c = chunk as Buffer;
      if (first) {
        first = false;
        if (c[0] === 0x1f && c[1] === 0x8b) {
          const g = createGunzip();
          g.pipe(plain);
          target = g;
        }
      }
      head.push(c);
      target.write(c);
    }
    target.end();
    await sink;
    const diffId = `sha256:${hash.digest('hex')}`;
    if (expectedDiffId && diffId !== expectedDiffId) throw new Error('diff id mismatch');
    const [chainId] = chainIds([diffId]).map((d, _i) =>
      parent ? chainIds([parent, diffId])[1] : d,
    );
    this.applied.set(chainId, (this.applied.get(chainId) ?? 0) + 1);
    return { chainId, diffId, sizeBytes: size };
  }
  async has(chainId: string) {
    return this.applied.has(chainId);
  }
  async removeLayer(chainId: string) {
    return this.applied.delete(chainId);
  }
}

const file = (path: string, content: string) => ({ type: 'file' as const, path, content });

describe('ImageService', () => {
  let dir: string;
  let registry: MemoryRegistry;
  let layers: HashingLayers;
  let content: FsContentStore;
  let svc: ImageService;
  let inUse: Set<string>;
  let base: BuiltImage;
  let app: BuiltImage;

  const make = async (root: string) => {
    const c = new FsContentStore(join(root, 'content'));
    await c.init();
    const s = new ImageService({
      root: join(root, 'image'),
      content: c,
      layers,
      registry: () => registry.client(),
      log: silentLogger(),
      containerUsingImage: (id) => (inUse.has(id) ? 'c0ffee' : undefined),
    });
    await s.start();
    return { c, s };
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'image-svc-'));
    registry = new MemoryRegistry();
    layers = new HashingLayers();
    inUse = new Set();
    const l1 = [file('etc/base', 'base layer')];
    base = await buildImage({ layers: [l1], format: 'docker', compression: 'gzip' });
    app = await buildImage({
      layers: [l1, [file('app/a', 'x'.repeat(5000))], [file('app/b', 'b')]],
      format: 'docker',
      compression: 'gzip',
    });
    registry.add('reg.test:5000/base', 'v1', base);
    registry.add('reg.test:5000/app', 'v1', app);
    ({ c: content, s: svc } = await make(dir));
  });

  afterEach(async () => {
    await svc.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('pulls an image with per-layer progress and lists it under its tag', async () => {
    const events: ProgressEvent[] = [];
    const res = await svc.pull('reg.test:5000/app:v1', { onProgress: (e) => events.push(e) });
    expect(res.record.id).toBe(app.configDigest);
    const statuses = events.map((e) => (e.id ? `${e.id}: ${e.status}` : e.status));
    expect(statuses[0]).toBe('v1: Pulling from app');
    expect(statuses.filter((s) => s.endsWith('Pull complete'))).toHaveLength(3);
    expect(statuses).toContain(`Digest: ${app.manifestDigest}`);
    expect(statuses.at(-1)).toBe('Status: Downloaded newer image for reg.test:5000/app:v1');
    expect(svc.list().map((i) => i.RepoTags)).toEqual([['reg.test:5000/app:v1']]);
    const resolved = await svc.resolve('reg.test:5000/app:v1');
    expect(resolved.chainIds).toEqual(chainIds(app.layers.map((l) => l.diffId)));
    expect(await content.has(app.layers[1].digest)).toBe(true);

    const again: ProgressEvent[] = [];
    await svc.pull('reg.test:5000/app:v1', { onProgress: (e) => again.push(e) });
    expect(again.at(-1)?.status).toBe('Status: Image is up to date for reg.test:5000/app:v1');
    expect(again.filter((e) => e.status === 'Already exists')).toHaveLength(3);
  });

  it('shares the work of concurrent pulls of one image', async () => {
    await Promise.all([svc.pull('reg.test:5000/app:v1'), svc.pull('reg.test:5000/app:v1')]);
    for (const l of app.layers) expect(registry.blobGets.get(l.digest)).toBe(1);
    for (const n of layers.applied.values()) expect(n).toBe(1);
  });

  it('reuses a layer another image already has and removes only unshared layers on rmi', async () => {
    await svc.pull('reg.test:5000/base:v1');
    const ev: ProgressEvent[] = [];
    await svc.pull('reg.test:5000/app:v1', { onProgress: (e) => ev.push(e) });
    expect(ev.filter((e) => e.status === 'Already exists')).toHaveLength(1);
    expect(registry.blobGets.get(app.layers[0].digest)).toBe(1);

    const out = await svc.remove('reg.test:5000/app:v1');
    expect(out[0]).toEqual({ Untagged: 'reg.test:5000/app:v1' });
    expect(out.filter((o) => o.Deleted)).toHaveLength(3); // image + two unshared layers
    expect(await content.has(app.layers[0].digest)).toBe(true);
    expect(await content.has(app.layers[2].digest)).toBe(false);
    expect(layers.applied.size).toBe(1);
    await expect(svc.resolve('reg.test:5000/app:v1')).rejects.toMatchObject({
      code: 'IMAGE_NOT_LOCAL',
    });
  });

  it('refuses to remove an image a container uses unless forced, and then only untags it', async () => {
    const { record } = await svc.pull('reg.test:5000/base:v1');
    inUse.add(record.id);
    await expect(svc.remove('reg.test:5000/base:v1')).rejects.toMatchObject({
      code: 'IMAGE_IN_USE',
    });
    await svc.remove('reg.test:5000/base:v1', { force: true });
    expect(svc.list()[0].RepoTags).toEqual([]);
    expect(await content.has(base.layers[0].digest)).toBe(true);
  });

  it('tags, finds by id prefix, and untags one of two names', async () => {
    const { record } = await svc.pull('reg.test:5000/base:v1');
    await svc.tag(record.id.slice(7, 19), 'other/name:2');
    expect((await svc.resolve('docker.io/other/name:2')).imageId).toBe(record.id);
    expect(await svc.remove('other/name:2')).toEqual([{ Untagged: 'other/name:2' }]);
    expect(svc.find('reg.test:5000/base:v1').id).toBe(record.id);
  });

  it('pushes to another repository with a cross-repo mount and keeps the digests', async () => {
    await svc.pull('reg.test:5000/app:v1');
    await svc.tag('reg.test:5000/app:v1', 'reg.test:5000/copy:v2');
    const ev: ProgressEvent[] = [];
    const pushed = await svc.push('reg.test:5000/copy:v2', { onProgress: (e) => ev.push(e) });
    expect(pushed.digest).toBe(app.manifestDigest);
    expect(registry.mounts).toContain('app');
    expect(ev.map((e) => e.status)).toContain(
      `v2: digest: ${app.manifestDigest} size: ${app.manifestBytes.length}`,
    );
    expect(svc.find('reg.test:5000/copy:v2').repoDigests).toContain(
      `reg.test:5000/copy@${app.manifestDigest}`,
    );
  });

  it('saves and loads an image in a fresh store with the same id, names and layers', async () => {
    await svc.pull('reg.test:5000/app:v1');
    const chunks: Buffer[] = [];
    for await (const c of svc.save(['reg.test:5000/app:v1'])) chunks.push(c as Buffer);
    const tarBytes = Buffer.concat(chunks);

    layers = new HashingLayers();
    const other = await make(join(dir, 'other'));
    const lines = await other.s.load(Readable.from([tarBytes]));
    expect(lines).toEqual(['Loaded image: reg.test:5000/app:v1']);
    const r = await other.s.resolve('reg.test:5000/app:v1');
    expect(r.imageId).toBe(app.configDigest);
    expect(r.chainIds).toEqual(chainIds(app.layers.map((l) => l.diffId)));
    await other.s.stop();
  });

  it('imports a root filesystem tarball as a one-layer image', async () => {
    const tarBytes = await buildLayerTarBytes([file('hello', 'world')]);
    const id = await svc.import(Readable.from([tarBytes]), { ref: 'imported:1' });
    const r = await svc.resolve('imported:1');
    expect(r.imageId).toBe(id);
    expect(r.chainIds).toHaveLength(1);
    expect(r.config.rootfs.diff_ids[0]).toBe(
      `sha256:${createHash('sha256').update(tarBytes).digest('hex')}`,
    );
  });

  it('prunes dangling images only, unless all', async () => {
    await svc.pull('reg.test:5000/base:v1');
    await svc.pull('reg.test:5000/app:v1');
    await svc.remove('reg.test:5000/base:v1').catch(() => undefined);
    expect((await svc.prune()).ImagesDeleted).toEqual([]);
    const all = await svc.prune({ all: true });
    expect(all.ImagesDeleted.filter((d) => d.Deleted?.startsWith('sha256:'))).not.toHaveLength(0);
    expect(svc.list()).toEqual([]);
  });

  it('prune also removes blobs no image references once they are past the grace period', async () => {
    await svc.pull('reg.test:5000/app:v1');
    // What a refused or interrupted pull leaves: verified blobs that no image record names.
    const stale = await content.ingest(
      undefined,
      Readable.from([Buffer.from('left by a refused pull')]),
    );
    const fresh = await content.ingest(
      undefined,
      Readable.from([Buffer.from('a pull running now')]),
    );
    const hourAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(content.blobPath(stale.digest), hourAgo, hourAgo);
    for (const d of [app.manifestDigest, app.configDigest])
      await utimes(content.blobPath(d), hourAgo, hourAgo);
    const r = await svc.prune();
    expect(r.SpaceReclaimed).toBe(stale.size);
    expect(await content.has(stale.digest)).toBe(false);
    // Young orphans may belong to a pull or build in progress; referenced blobs always stay.
    expect(await content.has(fresh.digest)).toBe(true);
    expect(await content.has(app.manifestDigest)).toBe(true);
    expect(await content.has(app.configDigest)).toBe(true);
  });

  it('searches the registry named in the term', async () => {
    expect(await svc.search('reg.test:5000/ap')).toEqual([{ name: 'reg.test:5000/app' }]);
  });
});
