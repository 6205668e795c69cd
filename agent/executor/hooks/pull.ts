// Makes the image available before anything else: a missing image is the most common failure,
// and it should fail the task before any network or container state exists to clean up. As with
// Swarm, a failed pull of an image that exists locally is only a warning: `create` decides. A full
// disk is the exception: the task fails at once naming it, rather than as "image not found".
import type { TaskHook } from '../types.js';

export const pullHook: TaskHook = {
  name: 'pull',
  async run(ctx) {
    ctx.report('preparing', 'pulling image');
    const ref = ctx.task.resolvedImage ?? ctx.task.spec.containerSpec.image;
    if (!ctx.images) return;
    try {
      await ctx.images.pull(ref, { signal: ctx.signal });
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
