// Chooses the container's network and host-mode port bindings; the runtime sets them up at create.
// Ingress ports are the routing mesh's (agent/network), not the task's container; meshHook gives a
// task with ingress ports on a node-local network an address the other nodes can route to.
import type { HookContext, TaskHook } from '../types.js';

const builtinNetworks = new Set(['bridge', 'host', 'none']);

export const networkHook: TaskHook = {
  name: 'network',
  async run(ctx) {
    const t = ctx.task;
    ctx.createOptions.ports = hostPorts(t);
    const overlays = t.networks ?? [];
    if (overlays.length > 0) {
      // Cluster networks: eth0 stays on the node's bridge (the way out and the routing mesh),
      // each overlay is eth1…, with the manager's address. A task on internal networks only that
      // publishes nothing gets no eth0: no route out of the cluster (docs/design/network.md).
      const closed = overlays.every((n) => n.internal) && t.endpointPorts.length === 0;
      ctx.createOptions.network = closed ? 'none' : 'bridge';
      ctx.createOptions.overlays = overlays.map((n) => ({ ...n, aliases: [...n.aliases] }));
      return;
    }
    // No cluster network: the first node-local network named (bridge, host, none, a bridge network
    // of this agent), else the default bridge.
    const network = t.spec.networks[0]?.target ?? 'bridge';
    if (!builtinNetworks.has(network) && !network.startsWith('container:'))
      await ctx.networks?.ensureNetwork(network, { 'io.flotilla.task-network': 'true' });
    ctx.createOptions.network = network;
  },
};

/** Host-mode ports are the task container's own; ingress ports are the routing mesh's. */
function hostPorts(t: HookContext['task']) {
  return t.endpointPorts
    .filter((p) => p.mode === 'host')
    .map((p) => ({
      hostIp: '',
      hostPort: p.published ?? 0,
      containerPort: p.target,
      protocol: p.protocol,
    }));
}

/** The network whose addresses every node routes to (node subnets): the routing mesh's. */
export const meshNetwork = 'bridge';

/**
 * After start (the runtime attaches networks then): a task with ingress ports on a stack (node-local) network also gets
 * an interface on the default bridge, whose node subnet every node routes, as Swarm attaches such
 * tasks to its ingress network. The mesh forwards to that address.
 */
export const meshHook: TaskHook = {
  name: 'mesh',
  async run(ctx) {
    const t = ctx.task;
    const network = ctx.createOptions.network ?? 'bridge';
    if (!t.endpointPorts.some((p) => p.mode === 'ingress')) return;
    if (builtinNetworks.has(network) || network.startsWith('container:')) return;
    if (!ctx.networks?.connect || !ctx.containerId) return;
    // Not fatal: the container already runs; without the interface only its own node reaches it.
    await ctx.networks
      .connect(meshNetwork, ctx.containerId)
      .catch((err) => ctx.log.warn({ err }, 'connecting the task to the routing mesh failed'));
  },
};
