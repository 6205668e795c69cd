// Makes the image available before anything else: a missing image is the most common failure,
// and it should fail the task before any network or container state exists to clean up.
import type { TaskHook } from '../types.js';

export const pullHook: TaskHook = {
  name: 'pull',
  async run(ctx) {
    ctx.report('preparing', 'pulling image');
    const ref = ctx.task.resolvedImage ?? ctx.task.spec.containerSpec.image;
    if (ctx.images) await ctx.images.pull(ref, { signal: ctx.signal });
  },
};
