// Makes the image available before anything else: a missing image is the most common failure,
// and it should fail the task before any network or container state exists to clean up. As with
// Swarm, a failed pull of an image that exists locally is only a warning: `create` decides. A full
// disk is the exception: the task fails at once naming it, rather than as "image not found". A pull
// refused for want of credentials, of an image not on the node, fails the task saying so.
import { FlotillaError, isFlotillaError } from '../../../shared/errors/index.js';
import { parseReference } from '../../../shared/reference/index.js';
import type { TaskHook } from '../types.js';

export const pullHook: TaskHook = {
  name: 'pull',
  async run(ctx) {
    ctx.report('preparing', 'pulling image');
    const ref = ctx.task.resolvedImage ?? ctx.task.spec.containerSpec.image;
    if (!ctx.images) return;
    const credentials = await ctx.pullAuth?.forTask(ctx.task, ctx.signal);
    try {
      await ctx.images.pull(ref, { signal: ctx.signal, ...(credentials ? { credentials } : {}) });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      const full = noSpaceCause(err);
      if (full) {
        const top = err instanceof Error ? err.message : String(err);
        throw new Error(top.includes(full.message) ? top : `${top}: ${full.message}`, {
          cause: err,
        });
      }
      ctx.log.warn({ err, image: ref }, 'image pull failed, trying the local image');
      if (!needsCredentials(err) || isLocal(ctx.images, ref)) return;
      // The service's own credentials were refused: the registry's error says that.
      if (credentials) throw err;
      throw new FlotillaError(
        'TASK_PULL_UNAUTHORIZED',
        { ref, registry: registryOf(ref, err) },
        { cause: err },
      );
    }
  },
};

/** The ENOSPC error in ERR's cause chain (the data root is full), if there is one. */
function noSpaceCause(err: unknown): Error | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; depth++) {
    if (
      (e as NodeJS.ErrnoException).code === 'ENOSPC' ||
      /no space left on device/i.test(e.message)
    )
      return e;
    e = e.cause;
  }
  return undefined;
}

function needsCredentials(err: unknown): boolean {
  return (
    isFlotillaError(err) && (err.code === 'REGISTRY_UNAUTHORIZED' || err.code === 'REGISTRY_DENIED')
  );
}

function isLocal(images: { find?(ref: string): unknown }, ref: string): boolean {
  if (!images.find) return false;
  try {
    images.find(ref);
    return true;
  } catch {
    return false;
  }
}

function registryOf(ref: string, err: unknown): string {
  const named = isFlotillaError(err) ? err.params.registry : undefined;
  if (typeof named === 'string' && named) return named;
  try {
    return parseReference(ref).domain;
  } catch {
    return 'the registry';
  }
}
