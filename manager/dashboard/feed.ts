// The dashboard's live feed: one subscription to the store's watch, shared by every open page and
// held only while one is open. Changes are coalesced by object for a short interval and each
// batch is serialised once for all pages, so the cost follows the rate of change, not the size
// of the cluster or the number of pages. A new page gets a snapshot of the cache first.
import type { ObjectStore, StoreEvent } from '../store/index.js';
import { nodeView, serviceView, taskView } from './views.js';
import type { FeedDelta, FeedSnapshot } from './web/wire.js';

export type { FeedDelta, FeedSnapshot } from './web/wire.js';

/** Where a page's frames go; `false` from send means the page is too slow and is dropped. */
export interface FeedClient {
  send(frame: string): boolean;
  close(): void;
}

export interface DashboardFeedDeps {
  store: Pick<ObjectStore, 'list' | 'subscribe'>;
  /** The coalescing interval. @default 250 */
  flushMs?: number;
  timers?: { set(fn: () => void, ms: number): unknown; clear(t: unknown): void };
}

const defaultTimers = {
  set: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clear: (t: unknown) => clearTimeout(t as NodeJS.Timeout),
};

export class DashboardFeed {
  private readonly clients = new Set<FeedClient>();
  private unsubscribe?: () => void;
  private pending: FeedDelta = emptyDelta();
  private pendingCount = 0;
  private timer?: unknown;

  constructor(private readonly deps: DashboardFeedDeps) {}

  get clientCount(): number {
    return this.clients.size;
  }

  /** Sends CLIENT a snapshot, then every batch until it leaves; returns the leave function. */
  join(client: FeedClient): () => void {
    // Subscribed before the snapshot is read, in one turn: no change falls between the two.
    if (!this.unsubscribe) this.unsubscribe = this.deps.store.subscribe((e) => this.onEvent(e));
    this.clients.add(client);
    client.send(frame('snapshot', this.snapshot()));
    return () => this.leave(client);
  }

  /** Closes every page (manager stopping). */
  stop(): void {
    for (const c of [...this.clients]) {
      c.close();
      this.leave(c);
    }
  }

  snapshot(): FeedSnapshot {
    const s = this.deps.store;
    return {
      nodes: s.list('node').map(nodeView),
      services: s.list('service').map(serviceView),
      tasks: s.list('task').flatMap((t) => taskView(t) ?? []),
    };
  }

  private leave(client: FeedClient): void {
    this.clients.delete(client);
    if (this.clients.size > 0) return;
    // Nobody watching: no subscription, no timer, no cost.
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer !== undefined) (this.deps.timers ?? defaultTimers).clear(this.timer);
    this.timer = undefined;
    this.pending = emptyDelta();
    this.pendingCount = 0;
  }

  private onEvent(e: StoreEvent): void {
    const gone = e.type === 'delete';
    if (e.kind === 'node') {
      const next = gone ? null : nodeView(e.object);
      if (!gone && e.previous && same(next, nodeView(e.previous))) return;
      this.pending.nodes[e.object.id] = next;
    } else if (e.kind === 'service') {
      const next = gone ? null : serviceView(e.object);
      if (!gone && e.previous && same(next, serviceView(e.previous))) return;
      this.pending.services[e.object.id] = next;
    } else if (e.kind === 'task') {
      const next = gone ? null : (taskView(e.object) ?? null);
      const before = e.previous ? (taskView(e.previous) ?? null) : null;
      if (same(next, before)) return;
      this.pending.tasks[e.object.id] = next;
    } else return;
    this.pendingCount += 1;
    if (this.timer === undefined)
      this.timer = (this.deps.timers ?? defaultTimers).set(
        () => this.flush(),
        this.deps.flushMs ?? 250,
      );
  }

  private flush(): void {
    this.timer = undefined;
    if (this.pendingCount === 0) return;
    const text = frame('delta', this.pending);
    this.pending = emptyDelta();
    this.pendingCount = 0;
    for (const c of [...this.clients])
      if (!c.send(text)) {
        // Its socket is backed up: drop it; the page reconnects and starts from a snapshot.
        c.close();
        this.leave(c);
      }
  }
}

function emptyDelta(): FeedDelta {
  return { nodes: {}, services: {}, tasks: {} };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** One server-sent event. JSON has no raw newlines, so one data line always suffices. */
export function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
