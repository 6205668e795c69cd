// A container's filesystem seen from outside: GET /containers/:id/changes (`diff`), in Docker's
// shape for both dialects. The overlay directories come from inspect's GraphDriver, as for commit.
import type { FastifyInstance } from 'fastify';
import { FlotillaError } from '../../../shared/errors/index.js';
import { upperChanges } from '../../image/diff/index.js';
import type { ContainerRuntime } from '../../runtime/index.js';
import type { RoutePlugin } from '../server.js';

interface GraphDriver {
  Id?: string;
  GraphDriver?: { Data?: { UpperDir?: string; LowerDir?: string } };
}

/** The container's overlay upper and lower directories. */
export async function overlayDirs(
  runtime: ContainerRuntime,
  idOrName: string,
): Promise<{ upperDir: string; lowerDirs: string[] }> {
  const doc = (await runtime.inspect(idOrName)) as GraphDriver;
  const data = doc.GraphDriver?.Data;
  if (!data?.UpperDir)
    throw new FlotillaError('COMMIT_UNSUPPORTED', {
      action: 'read',
      id: idOrName,
      reason: "the runtime does not report the container's upper directory",
    });
  return { upperDir: data.UpperDir, lowerDirs: (data.LowerDir ?? '').split(':').filter(Boolean) };
}

export function filesystemRoutes(runtime: ContainerRuntime): RoutePlugin {
  return (app: FastifyInstance) => {
    app.get('/containers/:id/changes', async (req) => {
      const { upperDir, lowerDirs } = await overlayDirs(runtime, (req.params as { id: string }).id);
      return upperChanges(upperDir, lowerDirs);
    });
  };
}
