// Writes to stdout a `docker load` archive of the two images the Swarm column needs, built offline
// from the host's static busybox (no registry): flt-bench/busybox:a and :b, which differ only by a
// label so their ids differ and an image change is a real rolling update.
//   bench/convergence/run.sh swarm-images | docker load
import tar from 'tar-stream';
import { buildImage, busyboxLayer } from '../../test/harness/image-builder.js';

const pack = tar.pack();
const layer = busyboxLayer();
const manifest: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
for (const variant of ['a', 'b']) {
  const img = await buildImage({
    layers: [layer],
    format: 'docker',
    compression: 'none',
    config: { Cmd: ['sh'], Labels: { 'flt-bench.variant': variant } },
  });
  // Both images share the one layer; docker load stores it once.
  if (variant === 'a') pack.entry({ name: 'layer.tar' }, img.layers[0].bytes);
  pack.entry({ name: `config-${variant}.json` }, img.configBytes);
  manifest.push({
    Config: `config-${variant}.json`,
    RepoTags: [`flt-bench/busybox:${variant}`],
    Layers: ['layer.tar'],
  });
}
pack.entry({ name: 'manifest.json' }, JSON.stringify(manifest));
pack.finalize();
pack.pipe(process.stdout);
