// The test image other components use: built offline from Debian's busybox-static, unpacked and
// mounted, it runs a shell in a chroot. Also checks buildImage's manifest and config wiring.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainIds, LayerStore } from '../../../agent/image/layers/index.js';
import { OverlaySnapshotter } from '../../../agent/image/snapshot/index.js';
import { buildImage, busyboxLayer, sha256, type LayerEntry } from '../../harness/image-builder.js';

const execFileP = promisify(execFile);

describe('busybox test image (root)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'flotilla-busybox-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('builds a consistent OCI and Docker manifest', async () => {
    for (const format of ['oci', 'docker'] as const) {
      const img = await buildImage({
        layers: [[{ type: 'file', path: 'a', content: 'a' }]],
        config: { Cmd: ['/bin/sh'] },
        format,
      });
      const manifest = JSON.parse(img.manifestBytes.toString()) as {
        mediaType: string;
        config: { digest: string; size: number };
        layers: Array<{ digest: string; size: number }>;
      };
      expect(img.manifestDigest).toBe(sha256(img.manifestBytes));
      expect(manifest.mediaType).toBe(img.manifestMediaType);
      expect(manifest.config).toMatchObject({
        digest: img.configDigest,
        size: img.configBytes.length,
      });
      expect(manifest.layers[0]).toMatchObject({
        digest: img.layers[0].digest,
        size: img.layers[0].size,
      });
      const config = JSON.parse(img.configBytes.toString()) as { rootfs: { diff_ids: string[] } };
      expect(config.rootfs.diff_ids).toEqual([img.layers[0].diffId]);
    }
  });

  it('unpacks, mounts and runs a shell from the busybox layer', async () => {
    const app: LayerEntry[] = [
      { type: 'file', path: 'app/hello.sh', content: 'echo hello from $0\n', mode: 0o755 },
    ];
    const img = await buildImage({ layers: [busyboxLayer(), app], config: { Cmd: ['/bin/sh'] } });
    const layers = new LayerStore(root);
    await layers.init();
    let parent: string | undefined;
    for (const l of img.layers) {
      parent = (await layers.applyLayer(parent, Readable.from([l.bytes]), l.diffId)).chainId;
    }
    const chain = chainIds(img.layers.map((l) => l.diffId));
    expect(parent).toBe(chain[1]);
    const snaps = new OverlaySnapshotter(root, layers);
    const snap = await snaps.prepare('busybox1', chain);
    try {
      const { stdout } = await execFileP('chroot', [snap.rootfs, '/bin/sh', '/app/hello.sh']);
      expect(stdout.trim()).toBe('hello from /app/hello.sh');
      const ls = await execFileP('chroot', [snap.rootfs, '/bin/ls', '-ld', '/tmp']);
      expect(ls.stdout).toMatch(/^drwxrwxrwt/);
    } finally {
      await snaps.remove('busybox1');
    }
  });
});
