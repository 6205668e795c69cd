// What the runtime needs from the image component: a local image's run config and layer chain.
// `imageServiceSource` adapts agent/image's ImageService; pulling is the caller's (the CLI pulls
// on `run` like Docker's, the executor has its pull hook).
import { FlotillaError, isFlotillaError } from '../../../shared/errors/index.js';
import type { ImageRunConfig } from '../bundle/merge.js';

export interface RuntimeImage {
  imageId: string;
  ref: string;
  config: ImageRunConfig;
  /** Chain ids, bottom first (Snapshotter.prepare input). */
  chainIds: string[];
  /** The image config's os/architecture/variant, when it names them (--platform checks it). */
  platform?: { os: string; architecture: string; variant?: string };
}

export interface ImageSource {
  /** Resolves a local image; throws CONTAINER_IMAGE_NOT_FOUND (not_found) when it is not there. */
  resolve(ref: string): Promise<RuntimeImage>;
}

/** Adapts anything with ImageService's `resolve(ref)` (agent/image/service.ts). */
export function imageServiceSource(svc: {
  resolve(ref: string): Promise<{
    imageId: string;
    config: {
      config?: Record<string, unknown>;
      os?: string;
      architecture?: string;
      variant?: string;
    };
    chainIds: string[];
    ref?: string;
  }>;
}): ImageSource {
  return {
    async resolve(ref) {
      let img;
      try {
        img = await svc.resolve(ref);
      } catch (err) {
        // One code for "no such local image" whatever the image store calls it: the CLI pulls on it.
        if (isFlotillaError(err) && err.kind === 'not_found')
          throw new FlotillaError('CONTAINER_IMAGE_NOT_FOUND', { ref }, { cause: err });
        throw err;
      }
      return {
        imageId: img.imageId,
        ref: img.ref ?? ref,
        config: (img.config.config ?? {}) as ImageRunConfig,
        chainIds: img.chainIds,
        ...(img.config.os && img.config.architecture
          ? {
              platform: {
                os: img.config.os,
                architecture: img.config.architecture,
                ...(img.config.variant ? { variant: img.config.variant } : {}),
              },
            }
          : {}),
      };
    },
  };
}
