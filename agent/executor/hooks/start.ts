// Starts the created container.
import type { TaskHook } from '../types.js';

export const startHook: TaskHook = {
  name: 'start',
  async run(ctx) {
    ctx.report('starting', 'starting container');
    await ctx.engine.start(ctx.containerId!);
  },
};
