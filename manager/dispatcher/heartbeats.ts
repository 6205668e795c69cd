// Agents' heartbeats, kept in memory (no etcd write per heartbeat; the node watcher reads them).
// The store is written only when a node the watcher marked down heartbeats again: it is ready.
import type { Logger } from '../../shared/log/index.js';
import type { ObjectStore } from '../store/index.js';

export interface HeartbeatsDeps {
  store: ObjectStore;
  log: Logger;
  clock: { now(): number };
  /** Cluster setting, passed to onHeartbeatGap. @default 5000 */
  heartbeatPeriodMs?: number;
  /** Told the gap between two heartbeats of a node, and the period (metrics). */
  onHeartbeatGap?: (gapMs: number, periodMs: number) => void;
}

export class Heartbeats {
  /** nodeId → epoch ms of its last heartbeat. */
  private readonly last = new Map<string, number>();
  /** Nodes whose "ready" write is in flight (one at a time per node). */
  private readonly markingReady = new Set<string>();

  constructor(private readonly deps: HeartbeatsDeps) {}

  lastMs(nodeId: string): number | undefined {
    return this.last.get(nodeId);
  }

  /** The last heartbeats of the given nodes (those that sent one). */
  snapshot(nodeIds: Iterable<string>): Map<string, number> {
    const m = new Map<string, number>();
    for (const nodeId of nodeIds) {
      const ms = this.last.get(nodeId);
      if (ms !== undefined) m.set(nodeId, ms);
    }
    return m;
  }

  /** A session opened at `ms` (its Node was written ready then): counts as a heartbeat. */
  opened(nodeId: string, ms: number): void {
    this.last.set(nodeId, ms);
  }

  forget(nodeId: string): void {
    this.last.delete(nodeId);
  }

  /** A heartbeat (or a status report) from the node's agent. */
  beat(nodeId: string): void {
    const now = this.deps.clock.now();
    const previous = this.last.get(nodeId);
    if (previous !== undefined)
      this.deps.onHeartbeatGap?.(now - previous, this.deps.heartbeatPeriodMs ?? 5000);
    this.last.set(nodeId, now);
    const node = this.deps.store.get('node', nodeId);
    if (!node || node.status.state === 'ready' || this.markingReady.has(nodeId)) return;
    // The node watcher marked it down while the agent was away: it is back.
    this.markingReady.add(nodeId);
    const iso = new Date(this.deps.clock.now()).toISOString();
    this.deps.store
      .update((tx) => {
        const n = tx.get('node', nodeId);
        if (!n || n.status.state === 'ready') return;
        n.status = { state: 'ready', message: '', lastHeartbeat: iso };
        n.updatedAt = iso;
        tx.update('node', n);
      })
      .catch((err) => this.deps.log.warn({ err, nodeId }, 'marking node ready failed'))
      .finally(() => this.markingReady.delete(nodeId));
  }
}
