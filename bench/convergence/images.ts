// The benchmark's test image, built offline from the host's static busybox (no registry, no Docker
// Hub): busybox httpd behind a shell that exits on SIGTERM, in two variants a and b that differ
// only by a label, so an image change is a real rolling update. Both columns use the same bytes.
//   bench/convergence/run.sh swarm-images | docker load     (flt-bench/web:a and :b)
import tar from 'tar-stream';
import { buildImage, busyboxLayer, type BuiltImage } from '../../test/harness/image-builder.js';

/**
 * httpd as PID 1 would ignore SIGTERM (no handler), so every stop would wait out the 10 s grace
 * period; this shell exits on SIGTERM and the kernel ends httpd with the pid namespace.
 */
export const webCommand = ['sh', '-c', 'trap "exit 0" TERM; httpd -f -p 80 -h /www & wait'];

/** Docker's healthcheck of the benchmark: one wget of the page every 2 s. */
export const webHealthcheck = {
  test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1/ || exit 1'],
  intervalSec: 2,
  timeoutSec: 2,
  retries: 3,
};

export const variants = ['a', 'b'] as const;

export async function webImage(variant: string, format: 'oci' | 'docker'): Promise<BuiltImage> {
  return buildImage({
    layers: [
      busyboxLayer(),
      [
        { type: 'dir', path: 'www' },
        { type: 'file', path: 'www/index.html', content: 'flotilla bench\n' },
      ],
    ],
    format,
    compression: format === 'docker' ? 'none' : 'gzip',
    config: {
      Cmd: webCommand,
      ExposedPorts: { '80/tcp': {} },
      Labels: { 'flt-bench.variant': variant },
    },
  });
}

/** A `docker load` archive of flt-bench/web:a and :b (they share their layers). */
export async function dockerArchive(): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => pack.on('end', () => r()));
  const manifest: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
  for (const variant of variants) {
    const img = await webImage(variant, 'docker');
    const layers = img.layers.map((_, i) => `layer${i}.tar`);
    if (variant === 'a') img.layers.forEach((l, i) => pack.entry({ name: layers[i] }, l.bytes));
    pack.entry({ name: `config-${variant}.json` }, img.configBytes);
    manifest.push({
      Config: `config-${variant}.json`,
      RepoTags: [`flt-bench/web:${variant}`],
      Layers: layers,
    });
  }
  pack.entry({ name: 'manifest.json' }, JSON.stringify(manifest));
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

if (process.argv[2] === 'swarm-images') process.stdout.write(await dockerArchive());
