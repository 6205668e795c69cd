// GET /system/df: Docker's disk-usage document (images with shared sizes, containers with the
// size of their writable layer, volumes with size and reference count), for `flotilla system df`
// and the docker CLI alike. The build cache is the image store itself here: reported empty.
import type { FastifyInstance } from 'fastify';
import { treeSize } from '../../../shared/fs/tree-size.js';
import type { ImageService } from '../../image/index.js';
import type { ContainerRuntime } from '../../runtime/index.js';
import type { RoutePlugin } from '../server.js';

type Doc = Record<string, unknown>;

/** Each image's Size and SharedSize (bytes of layers another image also has), and LayersSize. */
function imageUsage(images: ImageService, containersOf: (id: string) => number) {
  const records = images.store.list();
  const users = new Map<string, number>();
  const unique = new Map<string, number>();
  for (const r of records)
    for (const l of r.layers) {
      users.set(l.chainId, (users.get(l.chainId) ?? 0) + 1);
      unique.set(l.chainId, l.sizeBytes);
    }
  const summaries = new Map(images.list().map((s) => [s.Id, s]));
  const out = records.map((r) => ({
    ...summaries.get(r.id),
    Id: r.id,
    ParentId: '',
    SharedSize: r.layers
      .filter((l) => (users.get(l.chainId) ?? 0) > 1)
      .reduce((n, l) => n + l.sizeBytes, 0),
    Containers: containersOf(r.id),
  }));
  return { images: out, layersSize: [...unique.values()].reduce((a, b) => a + b, 0) };
}

export function systemDfRoutes(runtime: ContainerRuntime, images: ImageService): RoutePlugin {
  return (app: FastifyInstance) => {
    app.get('/system/df', async () => {
      const containers = await runtime.list({ all: true, size: true });
      const byImage = new Map<string, number>();
      for (const c of containers) byImage.set(c.imageId, (byImage.get(c.imageId) ?? 0) + 1);
      const { images: imageDocs, layersSize } = imageUsage(images, (id) => byImage.get(id) ?? 0);
      const sizeOf = new Map(imageDocs.map((i) => [i.Id, Number(i.Size ?? 0)]));
      const volumes = await runtime.volumes.list();
      const refs = (name: string) => containers.filter((c) => c.mounts?.includes(name)).length;
      return {
        LayersSize: layersSize,
        Images: imageDocs,
        Containers: containers.map((c): Doc => ({
          Id: c.id,
          Names: [`/${c.name}`],
          Image: c.image,
          ImageID: c.imageId,
          Command: c.command,
          Created: Math.floor(Date.parse(c.createdAt) / 1000),
          State: c.state,
          Status: c.status,
          Labels: c.labels,
          SizeRw: c.sizeRw ?? 0,
          SizeRootFs: (c.sizeRw ?? 0) + (sizeOf.get(c.imageId) ?? 0),
        })),
        Volumes: await Promise.all(
          volumes.map(async (v) => ({
            ...v,
            UsageData: { Size: await treeSize(v.Mountpoint), RefCount: refs(v.Name) },
          })),
        ),
        BuildCache: [],
      };
    });
    // The docker CLI's `system prune` ends with a build-cache prune: the builder keeps its cache
    // as images (pruned with them), so there is nothing apart to delete.
    app.post('/build/prune', async () => ({ CachesDeleted: [], SpaceReclaimed: 0 }));
  };
}
