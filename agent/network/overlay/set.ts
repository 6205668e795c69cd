// The agent's copy of its overlay networks, updated from the manager's messages: the complete set
// replaces it, a change touches one network in time proportional to the change. Kept apart so the
// shared model's OverlaySet (manager helper, issue 12) can take its place without touching callers.
import type { OverlayChangeInfo, OverlayNetworkInfo } from './state.js';

export class OverlayInfoSet {
  private readonly byId = new Map<string, OverlayNetworkInfo>();

  get(networkId: string): OverlayNetworkInfo | undefined {
    return this.byId.get(networkId);
  }

  list(): OverlayNetworkInfo[] {
    return [...this.byId.values()];
  }

  /** Replaces everything; returns the ids of networks that were added, changed or dropped. */
  replace(networks: readonly OverlayNetworkInfo[]): string[] {
    const touched = new Set([...this.byId.keys(), ...networks.map((n) => n.networkId)]);
    this.byId.clear();
    for (const n of networks) this.byId.set(n.networkId, clone(n));
    return [...touched];
  }

  /** Applies changes in order; returns the ids of networks touched. Changes to an unknown network are ignored. */
  apply(changes: readonly OverlayChangeInfo[]): string[] {
    const touched = new Set<string>();
    for (const c of changes) {
      touched.add(c.networkId);
      if (c.removed) {
        this.byId.delete(c.networkId);
        continue;
      }
      if (c.set) {
        this.byId.set(c.networkId, clone(c.set));
        continue;
      }
      const n = this.byId.get(c.networkId);
      if (!n) continue;
      if (c.upsertEndpoints.length || c.removedEndpoints.length) {
        const eps = new Map(n.endpoints.map((e) => [e.address, e]));
        for (const a of c.removedEndpoints) eps.delete(a);
        for (const e of c.upsertEndpoints) eps.set(e.address, { ...e, names: [...e.names] });
        n.endpoints = [...eps.values()];
      }
      if (c.upsertServices.length || c.removedServices.length) {
        const svcs = new Map(n.services.map((s) => [s.serviceId, s]));
        for (const id of c.removedServices) svcs.delete(id);
        for (const s of c.upsertServices) svcs.set(s.serviceId, { ...s, aliases: [...s.aliases] });
        n.services = [...svcs.values()];
      }
      if (c.keys) n.keys = c.keys.map((k) => ({ ...k }));
    }
    return [...touched];
  }
}

function clone(n: OverlayNetworkInfo): OverlayNetworkInfo {
  return {
    ...n,
    endpoints: n.endpoints.map((e) => ({ ...e, names: [...e.names] })),
    services: n.services.map((s) => ({ ...s, aliases: [...s.aliases] })),
    keys: n.keys.map((k) => ({ ...k })),
  };
}
