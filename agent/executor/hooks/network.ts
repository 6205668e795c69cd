// Chooses the container's network and host-mode port bindings; the runtime sets them up at create.
// Ingress ports are the routing mesh's (agent/network), not the task's container.
import type { TaskHook } from '../types.js';

export const networkHook: TaskHook = {
  name: 'network',
  async run(ctx) {
    const t = ctx.task;
    ctx.createOptions.network = t.spec.networks[0] ?? 'bridge';
    ctx.createOptions.ports = t.endpointPorts
      .filter((p) => p.mode === 'host')
      .map((p) => ({
        hostIp: '',
        hostPort: p.published ?? 0,
        containerPort: p.target,
        protocol: p.protocol,
      }));
  },
};
