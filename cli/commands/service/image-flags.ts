// `--with-registry-auth` and `--no-resolve-image` (service create/update), as Docker's: what the
// request carries beside the spec, and the warnings the manager sends back (an image it could not
// pin to a digest).
import type { Command } from 'commander';
import { notLoggedIn, registryAuthFor, type RegistryAuthEntry } from '../../registry/index.js';

export interface ImageFlags {
  withRegistryAuth?: boolean;
  /** false with --no-resolve-image (commander's negation). */
  resolveImage?: boolean;
}

export function addImageOptions(cmd: Command): Command {
  return cmd
    .option('--with-registry-auth', 'send registry authentication details to swarm agents')
    .option('--no-resolve-image', 'do not query the registry to resolve the image digest');
}

/**
 * The request's image fields. Update asks for `changed` unless --image was given (Docker queries
 * the registry only then), so an unchanged image keeps its pinned digest.
 */
export async function imageRequest(
  f: ImageFlags,
  image: string,
  imageGiven: boolean,
  err: NodeJS.WritableStream,
): Promise<{ registryAuth?: RegistryAuthEntry[]; resolveImage: 'always' | 'changed' | 'never' }> {
  const resolveImage = f.resolveImage === false ? 'never' : imageGiven ? 'always' : 'changed';
  if (!f.withRegistryAuth) return { resolveImage };
  const registryAuth = await registryAuthFor([image], (r) => err.write(notLoggedIn(r)));
  return { registryAuth, resolveImage };
}

export function printWarnings(warnings: readonly string[] | undefined, err: NodeJS.WritableStream) {
  for (const w of warnings ?? []) err.write(`WARNING: ${w}\n`);
}
