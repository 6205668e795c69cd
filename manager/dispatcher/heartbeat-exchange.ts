// Shares heartbeats between managers so the leader's node watcher sees agents whose session is
// held by another manager. Each manager writes ONE record, /flotilla/v1/heartbeats/<managerId>,
// every half heartbeat period under its own lease: the last heartbeat of every node connected to
// it. Every manager reads the prefix (one range read) at the same pace and merges. etcd cost per
// period is O(managers), never O(nodes); a manager that dies takes its record with its lease.
//
// A node whose session is open and heartbeating on time is recorded as seen at write time, so the
// leader's view lags by at most one write interval rather than a heartbeat period plus that.
import type { Etcd3, Lease } from 'etcd3';
import type { Logger } from '../../shared/log/index.js';

export const heartbeatsPrefix = '/flotilla/v1/heartbeats/';

interface HeartbeatRecord {
  managerId: string;
  /** Epoch ms when the record was written. */
  at: number;
  /** nodeId → epoch ms of its last heartbeat seen by that manager. */
  nodes: Record<string, number>;
}

export interface HeartbeatExchangeDeps {
  client: Etcd3;
  managerId: string;
  log: Logger;
  clock: { now(): number };
  /** This manager's sessions: nodeId → last heartbeat (the dispatcher). */
  local: {
    heartbeatSnapshot(): Map<string, number>;
    lastHeartbeatMs(nodeId: string): number | undefined;
  };
  /** Cluster setting. @default 5000 */
  heartbeatPeriodMs?: number;
}

export class HeartbeatExchange {
  private readonly log: Logger;
  private timer?: NodeJS.Timeout;
  private lease?: Lease;
  private remote = new Map<string, number>();
  /** nodeId → the other manager whose record has its newest heartbeat (holds its session). */
  private holders = new Map<string, string>();
  private ticking?: Promise<void>;

  constructor(private readonly deps: HeartbeatExchangeDeps) {
    this.log = deps.log.child({ component: 'heartbeat-exchange' });
  }

  private get periodMs(): number {
    return this.deps.heartbeatPeriodMs ?? 5000;
  }

  /** HeartbeatSource for the node watcher: the newest heartbeat any manager saw. */
  lastHeartbeatMs(nodeId: string): number | undefined {
    const local = this.deps.local.lastHeartbeatMs(nodeId);
    const remote = this.remote.get(nodeId);
    if (local === undefined) return remote;
    if (remote === undefined) return local;
    return Math.max(local, remote);
  }

  /** The id of the other manager that holds NODE's session now, as far as the records tell. */
  sessionHolder(nodeId: string): string | undefined {
    return this.holders.get(nodeId);
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(
      () => {
        if (!this.ticking) this.ticking = this.tick().finally(() => (this.ticking = undefined));
      },
      Math.max(100, this.periodMs / 2),
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
    const lease = this.lease;
    this.lease = undefined;
    // Revoking drops the record at once; the leader then relies on the others' records.
    await lease?.revoke().catch(() => undefined);
  }

  /** Writes this manager's record, then reads everyone's. */
  async tick(): Promise<void> {
    try {
      await this.write();
    } catch (err) {
      this.log.warn({ err }, 'writing heartbeat record failed');
      this.lease = undefined;
    }
    try {
      await this.read();
    } catch (err) {
      this.log.warn({ err }, 'reading heartbeat records failed');
    }
  }

  private async write(): Promise<void> {
    const now = this.deps.clock.now();
    const nodes: Record<string, number> = {};
    for (const [nodeId, ms] of this.deps.local.heartbeatSnapshot())
      nodes[nodeId] = now - ms <= this.periodMs * 1.5 ? now : ms;
    const record: HeartbeatRecord = { managerId: this.deps.managerId, at: now, nodes };
    if (!this.lease) {
      const ttlSec = Math.max(3, Math.ceil((this.periodMs * 3) / 1000));
      const lease = this.deps.client.lease(ttlSec);
      lease.on('lost', () => {
        if (this.lease === lease) this.lease = undefined;
      });
      await lease.grant();
      this.lease = lease;
    }
    await this.lease.put(heartbeatsPrefix + this.deps.managerId).value(JSON.stringify(record));
  }

  private async read(): Promise<void> {
    const all = await this.deps.client.getAll().prefix(heartbeatsPrefix).strings();
    const merged = new Map<string, number>();
    const holders = new Map<string, string>();
    for (const [key, raw] of Object.entries(all)) {
      if (key === heartbeatsPrefix + this.deps.managerId) continue;
      let rec: HeartbeatRecord;
      try {
        rec = JSON.parse(raw) as HeartbeatRecord;
      } catch {
        continue;
      }
      for (const [nodeId, ms] of Object.entries(rec.nodes ?? {}))
        if (typeof ms === 'number' && ms > (merged.get(nodeId) ?? 0)) {
          merged.set(nodeId, ms);
          holders.set(nodeId, rec.managerId);
        }
    }
    this.remote = merged;
    this.holders = holders;
  }
}
