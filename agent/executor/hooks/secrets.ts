// Writes the task's secret and config files into its own tmpfs (agent/secrets) and adds them as
// read-only bind mounts, before the container is created.
import { FlotillaError } from '../../../shared/errors/index.js';
import type { TaskHook } from '../types.js';

export const secretsHook: TaskHook = {
  name: 'secrets',
  async run(ctx) {
    const c = ctx.task.spec.containerSpec;
    if (!c.secrets?.length && !c.configs?.length) return;
    if (!ctx.files) {
      const r = c.secrets?.[0] ?? c.configs![0];
      throw new FlotillaError('TASK_SECRET_MISSING', {
        kind: c.secrets?.length ? 'secret' : 'config',
        name: r.name,
        id: r.id,
      });
    }
    const mounts = await ctx.files.prepare(ctx.task, ctx.signal);
    ctx.createOptions.mounts = [...(ctx.createOptions.mounts ?? []), ...mounts];
  },
};
