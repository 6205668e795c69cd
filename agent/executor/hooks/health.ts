// Feeds the container's health checks into the task status: healthy/starting are reported on the
// running task; unhealthy fails it, so the orchestrator replaces it in its slot.
import type { TaskHook } from '../types.js';

export const healthHook: TaskHook = {
  name: 'health',
  async run(ctx) {
    const id = ctx.containerId!;
    const unsubscribe = ctx.engine.subscribe((e) => {
      if (e.id !== id || e.action !== 'health_status') return;
      const h = e.attributes.health_status;
      if (h === 'unhealthy') ctx.fail('container unhealthy');
      else if (h === 'healthy' || h === 'starting')
        ctx.report('running', `container ${h}`, { health: h });
    });
    ctx.onFinish(unsubscribe);
  },
};
