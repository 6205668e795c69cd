// Watches node liveness and availability. A node whose heartbeats stop for the grace period is
// marked down and the tasks on it are orphaned (desired shutdown), so the orchestrator re-creates
// their slots elsewhere; when the node returns, the dispatcher tells it to stop those stale tasks.
// Tasks on a drained node are asked to shut down the same way. It never creates tasks.
//
// Heartbeats live in the dispatchers' memory (no etcd write per heartbeat); this watcher asks a
// HeartbeatSource and falls back to the lastHeartbeat written when the session opened.
import type { Logger } from '../../shared/log/index.js';
import type { Node } from '../../shared/model/index.js';
import { isTerminal } from '../../shared/model/index.js';
import type { ObjectStore } from '../store/index.js';

export interface HeartbeatSource {
  /** Epoch ms of the node's last heartbeat seen by this manager, if any. */
  lastHeartbeatMs(nodeId: string): number | undefined;
}

export interface NodeWatcherDeps {
  store: ObjectStore;
  log: Logger;
  clock: { now(): number };
  heartbeats: HeartbeatSource;
  /** Cluster setting. @default 10000 */
  gracePeriodMs?: number;
  /** How often liveness is checked. @default gracePeriodMs / 5 */
  checkIntervalMs?: number;
  /**
   * After this manager becomes leader, how long every node has before it is judged: its agent
   * may have lost its manager in the same failover and be backing off before it reconnects.
   * @default max(gracePeriodMs, 10000)
   */
  takeoverGraceMs?: number;
}

export interface WatchResult {
  markedDown: string[];
  orphaned: string[];
  drained: string[];
  /** Standalone containers' attachments of down or removed nodes, deleted (addresses released). */
  detached: string[];
}

export class NodeWatcher {
  private readonly log: Logger;
  private interval?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private running?: Promise<unknown>;
  private startedMs = 0;

  constructor(private readonly deps: NodeWatcherDeps) {
    this.log = deps.log.child({ component: 'node-watcher' });
    this.startedMs = deps.clock.now();
  }

  private get graceMs(): number {
    return this.deps.gracePeriodMs ?? 10_000;
  }

  private get takeoverGraceMs(): number {
    return this.deps.takeoverGraceMs ?? Math.max(this.graceMs, 10_000);
  }

  async start(): Promise<void> {
    // A new leader gives every node the takeover grace before judging it.
    this.startedMs = this.deps.clock.now();
    const every = this.deps.checkIntervalMs ?? Math.max(100, this.graceMs / 5);
    this.interval = setInterval(() => this.tick(), every);
    this.unsubscribe = this.deps.store.subscribe((e) => {
      if (e.kind === 'node' && e.type === 'put') this.tick();
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.interval);
    this.unsubscribe?.();
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.runPass()
      .catch((err) => this.log.warn({ err }, 'node check failed, will retry'))
      .finally(() => (this.running = undefined));
  }

  private lastSeenMs(node: Node): number {
    const fromStatus = node.status.lastHeartbeat ? Date.parse(node.status.lastHeartbeat) : 0;
    // As if every node had been seen when the takeover grace began running down.
    const takeover = this.startedMs + this.takeoverGraceMs - this.graceMs;
    return Math.max(this.deps.heartbeats.lastHeartbeatMs(node.id) ?? 0, fromStatus, takeover);
  }

  async runPass(): Promise<WatchResult> {
    const now = this.deps.clock.now();
    const result: WatchResult = { markedDown: [], orphaned: [], drained: [], detached: [] };
    const nodes = this.deps.store.list('node');
    const down = new Set<string>();
    const drained = new Set<string>();
    for (const n of nodes) {
      const alive = n.status.state === 'ready' || n.status.state === 'disconnected';
      if (alive && now - this.lastSeenMs(n) > this.graceMs) result.markedDown.push(n.id);
      if (n.status.state === 'down' || result.markedDown.includes(n.id)) down.add(n.id);
      else if (n.spec.availability === 'drain') drained.add(n.id);
    }
    const known = new Set(nodes.map((n) => n.id));
    const orphan: string[] = [];
    const drain: string[] = [];
    for (const t of this.deps.store.list('task')) {
      if (!t.nodeId) continue;
      // A removed node (`node rm`) is as gone as a down one.
      const gone = down.has(t.nodeId) || !known.has(t.nodeId);
      if (gone && !isTerminal(t.status.state)) orphan.push(t.id);
      else if (drained.has(t.nodeId) && t.desiredState === 'running') drain.push(t.id);
    }
    // A standalone container's attachment goes with its node, as Swarm's attachment tasks do: the
    // container cannot be rescheduled, and its address returns to the network.
    const detach = this.deps.store
      .list('attachment')
      .filter((a) => down.has(a.nodeId) || !known.has(a.nodeId))
      .map((a) => a.id);
    if (
      result.markedDown.length === 0 &&
      orphan.length === 0 &&
      drain.length === 0 &&
      detach.length === 0
    )
      return result;

    const timestamp = new Date(now).toISOString();
    await this.deps.store.batch((tx) => {
      for (const id of result.markedDown) {
        const n = tx.get('node', id);
        if (!n || n.status.state === 'down') continue;
        n.status = { ...n.status, state: 'down', message: 'heartbeat failure' };
        n.updatedAt = timestamp;
        tx.update('node', n);
      }
      for (const id of orphan) {
        const t = tx.get('task', id);
        if (!t || isTerminal(t.status.state)) continue;
        const message = known.has(t.nodeId!) ? 'node is down' : 'node was removed';
        t.status = { ...t.status, state: 'orphaned', timestamp, message };
        if (t.desiredState === 'running') t.desiredState = 'shutdown';
        tx.update('task', t);
        result.orphaned.push(id);
      }
      for (const id of drain) {
        const t = tx.get('task', id);
        if (!t || t.desiredState !== 'running') continue;
        t.desiredState = 'shutdown';
        tx.update('task', t);
        result.drained.push(id);
      }
      for (const id of detach) {
        if (!tx.get('attachment', id)) continue;
        tx.delete('attachment', id);
        result.detached.push(id);
      }
    });
    for (const nodeId of result.markedDown)
      this.log.warn({ nodeId }, 'node down: heartbeats stopped');
    if (result.detached.length)
      this.log.info({ count: result.detached.length }, 'attachments of down nodes released');
    return result;
  }
}
