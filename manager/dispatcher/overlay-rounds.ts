// Each node's cluster networks (endpoints on every node, services, keys) as the node holds them:
// the complete set once its session opens, then per round only what changed. Derived from the
// store (manager/networks overlayView); a network is sent to a node while it runs a task on it.
import type { Logger } from '../../shared/log/index.js';
import {
  diffOverlayNetwork,
  type Network,
  type OverlayKey,
  type OverlayNetworkChange,
  type OverlayNetworkState,
} from '../../shared/model/index.js';
import { isServing, overlayView, type OverlayView } from '../networks/index.js';
import type { ObjectStore, StoreEvent } from '../store/index.js';
import { RoundScheduler } from './round-scheduler.js';
import type { AgentSession } from './session.js';

/** Least time between two rounds that only add or refresh endpoints (as the routing mesh). */
const addIntervalMs = 250;

export class OverlayRounds {
  private view: OverlayView = { networks: new Map(), members: new Map() };
  /** What each session holds: network id → the state it was last sent (shared, never copied). */
  private readonly held = new WeakMap<AgentSession, Map<string, OverlayNetworkState>>();
  private readonly rounds = new RoundScheduler(addIntervalMs, () => this.round());

  constructor(
    private readonly deps: {
      store: ObjectStore;
      log: Logger;
      sessions: ReadonlyMap<string, AgentSession>;
      /** The keys of an encrypted network, opened (absent: none are sent). */
      keysOf?: (n: Network) => OverlayKey[];
    },
  ) {}

  start(): void {
    this.view = this.compute();
  }

  stop(): void {
    this.rounds.stop();
  }

  /** A new session: the node's complete set. */
  opened(session: AgentSession): void {
    const mine = new Map<string, OverlayNetworkState>();
    for (const id of this.view.members.get(session.nodeId) ?? []) {
      const n = this.view.networks.get(id);
      if (n) mine.set(id, n);
    }
    this.held.set(session, mine);
    session.send({ overlays: { networks: [...mine.values()] } });
  }

  /** Urgent when an endpoint may stop serving, so DNS and VIPs drop a task before it stops. */
  onStoreEvent(e: StoreEvent): void {
    if (!this.concerns(e)) return;
    this.rounds.schedule(this.mayStopServing(e));
  }

  private compute(): OverlayView {
    const s = this.deps.store;
    return overlayView(
      s.list('network'),
      s.list('service'),
      s.list('task'),
      s.list('node'),
      this.deps.keysOf ?? (() => []),
      s.list('attachment'),
    );
  }

  private round(): void {
    const before = this.view;
    const after = (this.view = this.compute());
    // One diff per network, shared by every session that held the previous state.
    const shared = new Map<string, OverlayNetworkChange | undefined>();
    for (const [id, n] of after.networks) {
      const prev = before.networks.get(id);
      if (prev && prev !== n) shared.set(id, diffOverlayNetwork(prev, n));
    }
    let sent = 0;
    for (const session of this.deps.sessions.values()) {
      const held = this.held.get(session);
      if (!held) continue;
      const changes = this.changesFor(session.nodeId, held, before, shared);
      if (changes.length === 0) continue;
      session.send({ overlayChanges: { changes } });
      sent++;
    }
    if (sent)
      this.deps.log.debug(
        { networks: after.networks.size, sessions: sent },
        'overlay changes sent',
      );
  }

  /** The session's changes; updates what it holds. */
  private changesFor(
    nodeId: string,
    held: Map<string, OverlayNetworkState>,
    before: OverlayView,
    shared: Map<string, OverlayNetworkChange | undefined>,
  ): OverlayNetworkChange[] {
    const changes: OverlayNetworkChange[] = [];
    const member = this.view.members.get(nodeId) ?? new Set<string>();
    for (const id of [...held.keys()])
      if (!member.has(id) || !this.view.networks.has(id)) {
        held.delete(id);
        changes.push({ networkId: id, removed: true });
      }
    for (const id of member) {
      const n = this.view.networks.get(id);
      if (!n) continue;
      const had = held.get(id);
      held.set(id, n);
      if (!had) changes.push({ networkId: id, set: n });
      else if (had === n) continue;
      else {
        const c = had === before.networks.get(id) ? shared.get(id) : diffOverlayNetwork(had, n);
        if (c) changes.push(c);
      }
    }
    return changes;
  }

  /** Networks, services, nodes and attachments always; tasks that are or were on a cluster network. */
  private concerns(e: StoreEvent): boolean {
    if (e.kind !== 'task') return true;
    return Boolean(e.object.networks?.length || e.previous?.networks?.length);
  }

  private mayStopServing(e: StoreEvent): boolean {
    if (e.kind !== 'task') return e.kind !== 'node';
    if (e.type === 'delete') return true;
    return Boolean(e.previous && isServing(e.previous) && !isServing(e.object));
  }
}
