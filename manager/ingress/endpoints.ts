// Derives the routing mesh's endpoint set from the store: for each service with ingress ports, those
// ports and the addresses of its tasks that should get new connections. The dispatcher sends the
// result to every agent; agents turn it into iptables rules (agent/network). A task leaves the set
// as soon as its desired state is no longer running, before its agent stops it (drain).
import type { IngressService, Service, Task } from '../../shared/model/index.js';
import { publishedPorts } from './ports.js';

function hasHealthcheck(t: Task): boolean {
  const test = t.spec.containerSpec.healthcheck?.test;
  return Boolean(test && test.length > 0 && test[0] !== 'NONE');
}

/** Should get new connections: wanted, running, healthy where it has a healthcheck. */
export function receivesTraffic(t: Task): boolean {
  if (t.desiredState !== 'running' || t.status.state !== 'running' || !t.status.address)
    return false;
  // The image may declare a healthcheck the spec does not: the agent then reports health.
  if (t.status.health !== undefined) return t.status.health === 'healthy';
  return !hasHealthcheck(t);
}

/** Every service with ingress ports, sorted by name; addresses sorted. */
export function ingressEndpoints(
  services: readonly Service[],
  tasks: readonly Task[],
): IngressService[] {
  const addrs = new Map<string, Set<string>>();
  for (const t of tasks)
    if (receivesTraffic(t)) {
      let set = addrs.get(t.serviceId);
      if (!set) addrs.set(t.serviceId, (set = new Set()));
      set.add(t.status.address!);
    }
  const out: IngressService[] = [];
  for (const s of services) {
    const ports = publishedPorts(s)
      .filter((p) => p.mode === 'ingress' && p.published)
      .map((p) => ({ published: p.published!, target: p.target, protocol: p.protocol }))
      .sort((a, b) => a.published - b.published || a.protocol.localeCompare(b.protocol));
    if (ports.length === 0) continue;
    out.push({
      serviceId: s.id,
      name: s.spec.name,
      ports,
      addrs: [...(addrs.get(s.id) ?? [])].sort(),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
