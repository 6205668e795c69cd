// Derives what nodes hold of the cluster networks from the store: per network its endpoints (tasks
// with an address on it that have not stopped, and standalone containers attached to it, on every
// node), its services (name, aliases, mode, VIP) and its keys; and which networks each node takes
// part in (those it runs such a task or container of).
// The dispatcher sends each node its networks and then their changes (overlay-rounds.ts).
import {
  compareAddr,
  isTerminal,
  type ContainerAttachment,
  type Network,
  type Node,
  type OverlayEndpoint,
  type OverlayKey,
  type OverlayNetworkState,
  type OverlayService,
  type Service,
  type Task,
} from '../../shared/model/index.js';

export interface OverlayView {
  /** Every network that has at least one endpoint, by id. */
  networks: Map<string, OverlayNetworkState>;
  /** nodeId → ids of the networks it takes part in. */
  members: Map<string, Set<string>>;
}

function hasHealthcheck(t: Task): boolean {
  const test = t.spec.containerSpec.healthcheck?.test;
  return Boolean(test && test.length > 0 && test[0] !== 'NONE');
}

/**
 * DNS and VIPs use only serving endpoints: desired running, running, and healthy where it has a
 * healthcheck. A task stops serving the moment its desired state leaves running, before its agent
 * is told to stop it.
 */
export function isServing(t: Task): boolean {
  if (t.desiredState !== 'running' || t.status.state !== 'running') return false;
  if (t.status.health !== undefined) return t.status.health === 'healthy';
  return !hasHealthcheck(t);
}

/** `web.1.<task id>` (replicated) or `web.<node id>.<task id>` (global), as Swarm names them. */
export function taskName(serviceName: string, t: Task): string {
  return `${serviceName}.${t.slot > 0 ? t.slot : (t.nodeId ?? '')}.${t.id}`;
}

/** A task's endpoints are listed while it holds its addresses: placed and not yet stopped. */
function holdsAddresses(t: Task): boolean {
  return Boolean(t.networks?.length && t.nodeId && !isTerminal(t.status.state));
}

export function overlayView(
  networks: readonly Network[],
  services: readonly Service[],
  tasks: readonly Task[],
  nodes: readonly Node[],
  keysOf: (n: Network) => OverlayKey[],
  attachments: readonly ContainerAttachment[] = [],
): OverlayView {
  const byId = new Map(networks.map((n) => [n.id, n]));
  const nodeAddr = new Map(nodes.map((n) => [n.id, n.description.addr]));
  const serviceName = new Map(services.map((s) => [s.id, s.spec.name]));
  const endpoints = new Map<string, OverlayEndpoint[]>();
  const members = new Map<string, Set<string>>();
  for (const t of tasks) {
    if (!holdsAddresses(t)) continue;
    const serving = isServing(t);
    const name = taskName(serviceName.get(t.serviceId) ?? t.serviceId, t);
    for (const a of t.networks!) {
      if (!byId.has(a.networkId)) continue;
      let list = endpoints.get(a.networkId);
      if (!list) endpoints.set(a.networkId, (list = []));
      list.push({
        address: a.address,
        nodeId: t.nodeId!,
        nodeAddr: nodeAddr.get(t.nodeId!) ?? '',
        taskId: t.id,
        serviceId: t.serviceId,
        names: [name],
        serving,
      });
      let m = members.get(t.nodeId!);
      if (!m) members.set(t.nodeId!, (m = new Set()));
      m.add(a.networkId);
    }
  }
  // A standalone container: named by its container name, serving while it is attached. Its node
  // becomes a member (it gets the network's remote entries); every other member gets the way back.
  for (const a of attachments) {
    if (!byId.has(a.networkId)) continue;
    let list = endpoints.get(a.networkId);
    if (!list) endpoints.set(a.networkId, (list = []));
    list.push({
      address: a.address,
      nodeId: a.nodeId,
      nodeAddr: nodeAddr.get(a.nodeId) ?? '',
      taskId: '',
      serviceId: '',
      names: [a.containerName, ...a.aliases],
      serving: true,
    });
    let m = members.get(a.nodeId);
    if (!m) members.set(a.nodeId, (m = new Set()));
    m.add(a.networkId);
  }
  const servicesOn = new Map<string, OverlayService[]>();
  for (const s of services) {
    const vips = new Map((s.endpoint?.virtualIps ?? []).map((v) => [v.networkId, v.address]));
    for (const a of s.spec.taskTemplate.networks) {
      if (!endpoints.has(a.target)) continue;
      let list = servicesOn.get(a.target);
      if (!list) servicesOn.set(a.target, (list = []));
      list.push({
        serviceId: s.id,
        name: s.spec.name,
        aliases: [...new Set(a.aliases ?? [])].filter((x) => x !== s.spec.name).sort(),
        endpointMode: s.spec.endpointSpec.mode,
        vip: s.spec.endpointSpec.mode === 'vip' ? (vips.get(a.target) ?? '') : '',
      });
    }
  }
  const out = new Map<string, OverlayNetworkState>();
  for (const [id, list] of endpoints) {
    const n = byId.get(id)!;
    out.set(id, {
      networkId: id,
      name: n.spec.name,
      vni: n.vni,
      subnet: n.subnet,
      gateway: n.gateway,
      internal: n.spec.internal,
      encrypted: n.spec.encrypted,
      endpoints: list.sort((a, b) => compareAddr(a.address, b.address)),
      services: (servicesOn.get(id) ?? []).sort((a, b) => a.name.localeCompare(b.name)),
      keys: n.spec.encrypted ? keysOf(n) : [],
    });
  }
  return { networks: out, members };
}
