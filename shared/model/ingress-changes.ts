// Changes between two routing-mesh endpoint sets. The manager sends an agent the whole set when its
// session opens and only the changes after that: every node holds every task address of every
// service with ingress ports, so re-sending the whole set on every change cost O(nodes × tasks)
// per change (5,000 tasks of one published service over 1,000 nodes took 8× the CPU of the same
// service unpublished, and stalled the manager's event loop 1.5 s).
import type { IngressService } from './ingress.js';

export interface IngressChange {
  serviceId: string;
  /** The complete entry: a service new to the set, or one whose name or ports changed. */
  set?: IngressService;
  /** The service left the set (removed, or no ingress port any more). */
  removed?: boolean;
  /** Addresses that joined and left the service's set (when neither `set` nor `removed`). */
  addedAddrs?: string[];
  removedAddrs?: string[];
}

const metaKey = (s: IngressService) => JSON.stringify([s.name, s.ports]);

/** What turns `before` into `after` (both as `ingressEndpoints` gives them). */
export function diffIngress(
  before: readonly IngressService[],
  after: readonly IngressService[],
): IngressChange[] {
  const old = new Map(before.map((s) => [s.serviceId, s]));
  const changes: IngressChange[] = [];
  for (const s of after) {
    const prev = old.get(s.serviceId);
    old.delete(s.serviceId);
    if (!prev || metaKey(prev) !== metaKey(s)) {
      changes.push({ serviceId: s.serviceId, set: s });
      continue;
    }
    const had = new Set(prev.addrs);
    const has = new Set(s.addrs);
    const addedAddrs = s.addrs.filter((a) => !had.has(a));
    const removedAddrs = prev.addrs.filter((a) => !has.has(a));
    if (addedAddrs.length > 0 || removedAddrs.length > 0)
      changes.push({ serviceId: s.serviceId, addedAddrs, removedAddrs });
  }
  for (const id of old.keys()) changes.push({ serviceId: id, removed: true });
  return changes;
}

/**
 * An agent's copy of the endpoint set: the complete set replaces it, changes update it in time
 * proportional to the change (not to the set: a service of 100,000 tasks changes a few addresses
 * at a time), and the list is built, in `ingressEndpoints`' order (services by name, addresses
 * sorted), only when asked for.
 */
export class IngressSet {
  private readonly byId = new Map<string, { service: IngressService; addrs: Set<string> }>();
  private listed?: IngressService[] = [];

  replace(services: readonly IngressService[]): void {
    this.byId.clear();
    for (const s of services) this.byId.set(s.serviceId, { service: s, addrs: new Set(s.addrs) });
    this.listed = undefined;
  }

  /** Applies changes; one for a service the set lacks (other than `set`) is ignored. */
  apply(changes: readonly IngressChange[]): void {
    for (const c of changes) {
      if (c.removed) this.byId.delete(c.serviceId);
      else if (c.set) this.byId.set(c.serviceId, { service: c.set, addrs: new Set(c.set.addrs) });
      else {
        const entry = this.byId.get(c.serviceId);
        if (!entry) continue;
        for (const a of c.removedAddrs ?? []) entry.addrs.delete(a);
        for (const a of c.addedAddrs ?? []) entry.addrs.add(a);
      }
    }
    this.listed = undefined;
  }

  list(): IngressService[] {
    this.listed ??= [...this.byId.values()]
      .map(({ service, addrs }) => ({ ...service, addrs: [...addrs].sort() }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return this.listed;
  }
}
