// Makes the image available before anything else: a missing image is the most common failure,
// and it should fail the task before any network or container state exists to clean up. As with
// Swarm, a failed pull of an image that exists locally is only a warning: `create` decides.
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
      ctx.log.warn({ err, image: ref }, 'image pull failed, trying the local image');
    }
  },
};
