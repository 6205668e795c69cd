// The cluster event stream of one manager: every store change becomes at most one ClusterEvent,
// kept in a bounded history (for --since) and handed to subscribers (GET /events). Every manager
// runs one from its own watch, so the stream survives a failover to another manager, with the
// history that manager has seen.
import type { StoreEvent } from '../store/index.js';
import type { ObjectStore } from '../store/index.js';
import { clusterEventOf, type ClusterEvent } from './cluster-event.js';

export interface ClusterEventsDeps {
  store: Pick<ObjectStore, 'subscribe'>;
  clock: { now(): number };
  /** Events kept for --since. @default 1000 (Docker's daemon keeps 256) */
  historyLimit?: number;
}

export class ClusterEvents {
  /** A ring: `next` is where the next event goes; once full, the oldest is overwritten. */
  private readonly history: ClusterEvent[] = [];
  private next = 0;
  private readonly listeners = new Set<(e: ClusterEvent) => void>();
  private unsubscribe?: () => void;

  constructor(private readonly deps: ClusterEventsDeps) {}

  async start(): Promise<void> {
    this.unsubscribe = this.deps.store.subscribe((e) => this.onStoreEvent(e));
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.listeners.clear();
  }

  /** Events of the history from sinceMs (inclusive) to untilMs (inclusive), oldest first. */
  since(sinceMs: number, untilMs = Infinity): ClusterEvent[] {
    const ordered = [...this.history.slice(this.next), ...this.history.slice(0, this.next)];
    return ordered.filter((e) => e.timeNano / 1e6 >= sinceMs && e.timeNano / 1e6 <= untilMs);
  }

  /** New events as they happen; returns the unsubscribe function. */
  subscribe(listener: (e: ClusterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private onStoreEvent(se: StoreEvent): void {
    const e = clusterEventOf(se, this.deps.clock.now());
    if (!e) return;
    const limit = this.deps.historyLimit ?? 1000;
    if (this.history.length < limit) this.history.push(e);
    else {
      this.history[this.next] = e;
      this.next = (this.next + 1) % limit;
    }
    for (const l of this.listeners) l(e);
  }
}
