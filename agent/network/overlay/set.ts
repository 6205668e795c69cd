// The agent's copy of its overlay networks, updated from the manager's messages through the
// shared model's OverlaySet (the same apply the manager's diffs are tested against): the complete
// set replaces it, a change touches one network in time proportional to the change. This adapter
// keeps the agent's types (overlay/state.ts), which callers and service discovery use.
import { OverlaySet } from '../../../shared/model/index.js';
import type { OverlayChangeInfo, OverlayNetworkInfo } from './state.js';

export class OverlayInfoSet {
  private readonly set = new OverlaySet();

  /** The entry is shared (built once per change): callers must not change it. */
  get(networkId: string): OverlayNetworkInfo | undefined {
    // Everything in the set came in as the agent's types (replace, apply), so it reads back as them.
    return this.set.get(networkId) as OverlayNetworkInfo | undefined;
  }

  list(): OverlayNetworkInfo[] {
    return this.set.list() as OverlayNetworkInfo[];
  }

  /** Replaces everything; returns the ids of networks that were added, changed or dropped. */
  replace(networks: readonly OverlayNetworkInfo[]): string[] {
    const touched = new Set([
      ...this.list().map((n) => n.networkId),
      ...networks.map((n) => n.networkId),
    ]);
    this.set.replace(networks);
    return [...touched];
  }

  /** Applies changes in order; returns the ids of networks touched. Changes to an unknown network are ignored. */
  apply(changes: readonly OverlayChangeInfo[]): string[] {
    return this.set.apply(changes);
  }
}
