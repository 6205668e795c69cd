// Chooses the container's network and host-mode port bindings; the runtime sets them up at create.
// Ingress ports are the routing mesh's (agent/network), not the task's container.
import type { TaskHook } from '../types.js';

const builtinNetworks = new Set(['bridge', 'host', 'none']);

export const networkHook: TaskHook = {
  name: 'network',
  async run(ctx) {
    const t = ctx.task;
    const network = t.spec.networks[0] ?? 'bridge';
    // Stack networks (<stack>_default ...) are node-local bridges created on first use: there is
    // no overlay network across nodes; containers reach other nodes through the node subnets.
    if (!builtinNetworks.has(network) && !network.startsWith('container:'))
      await ctx.networks?.ensureNetwork(network, { 'io.flotilla.task-network': 'true' });
    ctx.createOptions.network = network;
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
