// Peer routes (every other node's subnet via its address) for agent sessions, and the rounds that
// send every session its new peer set when a node joins, leaves or changes subnet or address.
import type { ObjectStore } from '../store/index.js';
import type { AgentSession } from './session.js';

/** Least time between two rounds of peer sets to every session (see schedule). */
const peersMinIntervalMs = 1000;
/** A round may take at most this share of the manager's time (its gap is duration × factor). */
const peersGapFactor = 10;

export type PeerRoute = { nodeId: string; subnet: string; via: string };

export class PeerRoutes {
  /** What peers were last computed from (id subnet addr per node), to send only real changes. */
  private key = '';
  private scheduled = false;
  private sentAtMs = 0;
  private gapMs = peersMinIntervalMs;

  constructor(
    private readonly deps: {
      store: ObjectStore;
      sessions: ReadonlyMap<string, AgentSession>;
    },
  ) {}

  /** Routes to every other node's subnet via its address. */
  peersOf(nodeId: string): PeerRoute[] {
    return this.deps.store
      .list('node')
      .filter((n) => n.id !== nodeId && n.subnet && n.description.addr)
      .map((n) => ({ nodeId: n.id, subnet: n.subnet!, via: n.description.addr }));
  }

  /**
   * A node joined, left or changed subnet/address: every session gets its new peer set. A round
   * costs O(nodes²) (every session gets every route: about a second of CPU at 1,000 nodes), so
   * rounds are at least a second and ten times the last round's duration apart. With one round
   * per join, 1,000 agents joining kept the manager busy serialising routes for tens of minutes
   * and starved its leader lease.
   */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const waitMs = this.sentAtMs + this.gapMs - Date.now();
    if (waitMs <= 0) setImmediate(() => this.round());
    else setTimeout(() => this.round(), waitMs).unref();
  }

  private round(): void {
    this.scheduled = false;
    const { store, sessions } = this.deps;
    const nodes = store.list('node');
    const key = nodes.map((n) => `${n.id} ${n.subnet ?? ''} ${n.description.addr}`).join(',');
    if (key === this.key) return;
    this.key = key;
    const startedMs = Date.now();
    const routes = nodes
      .filter((n) => n.subnet && n.description.addr)
      .map((n) => ({ nodeId: n.id, subnet: n.subnet!, via: n.description.addr }));
    for (const s of sessions.values())
      s.sendPeers(
        routes.filter((r) => r.nodeId !== s.nodeId),
        store.get('node', s.nodeId)?.subnet ?? '',
      );
    this.sentAtMs = Date.now();
    this.gapMs = Math.max(peersMinIntervalMs, (this.sentAtMs - startedMs) * peersGapFactor);
  }
}
