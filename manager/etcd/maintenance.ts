// Keeps etcd's database bounded: etcd keeps every revision of every key until it is compacted, and
// its file never shrinks until it is defragmented, so a busy cluster (each task written 2–3 times)
// would reach the backend quota and turn read-only. Each round compacts to the revision seen one
// round earlier (history of at least one interval stays, for watches that resume) and defragments
// the member when most of its file is free (docs/design/manager.md, "Store maintenance").
import type { Etcd3 } from 'etcd3';
import type { Logger } from '../../shared/log/index.js';

/** What the maintenance needs of etcd (etcd3's maintenance and kv clients; a fake in unit tests). */
export interface MaintenanceTarget {
  /** The member's current revision and database sizes (bytes allocated, bytes in use). */
  status(): Promise<{ revision: number; dbSize: number; dbSizeInUse: number }>;
  compact(revision: number): Promise<void>;
  defragment(): Promise<void>;
}

export interface StoreMaintenanceOptions {
  target: MaintenanceTarget;
  log: Logger;
  /** Compaction is cluster-wide: only the leader compacts. Every manager defragments its member. */
  isLeader: () => boolean;
  /** @default 60000 */
  intervalMs?: number;
  /** Defragment when at least this share of the file is free (after compaction). @default 0.5 */
  defragFreeRatio?: number;
  /**
   * ... and at least this many bytes are free: a defrag blocks the member while it copies the live
   * data (seconds for a large file), and bbolt reuses free pages anyway, so only a file large
   * against the quota is worth it. @default 512 MiB (a quarter of etcd's default quota)
   */
  defragMinFreeBytes?: number;
  timers?: { setInterval: typeof setInterval; clearInterval: typeof clearInterval };
}

export interface MaintenanceRound {
  compactedTo?: number;
  defragmented?: { beforeBytes: number; afterBytes: number };
}

export class StoreMaintenance {
  /** The revision seen by the last round: the next round compacts up to it. */
  private seen = 0;
  private compacted = 0;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(private readonly opts: StoreMaintenanceOptions) {}

  async start(): Promise<void> {
    const t = this.opts.timers ?? { setInterval, clearInterval };
    this.timer = t.setInterval(() => {
      // One round at a time: a defrag of a large file can outlast an interval.
      this.running ??= this.round()
        .catch((err: unknown) => this.opts.log.warn({ err }, 'store maintenance round failed'))
        .finally(() => (this.running = undefined));
    }, this.opts.intervalMs ?? 60_000);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    (this.opts.timers ?? { clearInterval }).clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One round: compact to the previous round's revision (leader), defragment if fragmented. */
  async round(): Promise<MaintenanceRound> {
    const { target, log } = this.opts;
    const out: MaintenanceRound = {};
    let status = await target.status();
    if (this.opts.isLeader() && this.seen > this.compacted && this.seen <= status.revision) {
      try {
        await target.compact(this.seen);
        out.compactedTo = this.seen;
      } catch (err) {
        // Another manager (a former leader) compacted past it: nothing to do.
        if (!/compacted/i.test(String((err as Error)?.message))) throw err;
      }
      this.compacted = this.seen;
      status = await target.status();
    }
    this.seen = status.revision;
    const free = status.dbSize - status.dbSizeInUse;
    const ratio = this.opts.defragFreeRatio ?? 0.5;
    const minFree = this.opts.defragMinFreeBytes ?? 512 * 2 ** 20;
    if (free >= minFree && free >= ratio * status.dbSize) {
      await target.defragment();
      const after = await target.status();
      out.defragmented = { beforeBytes: status.dbSize, afterBytes: after.dbSize };
    }
    if (out.compactedTo !== undefined || out.defragmented)
      log.info({ ...out, dbSizeInUse: status.dbSizeInUse }, 'store maintenance');
    return out;
  }
}

/**
 * The target over the manager's etcd client. Status and defragment go to the member the client
 * picks, which is this manager's own member first (store-client.ts's MemberChoice).
 */
export function etcdMaintenanceTarget(client: Etcd3): MaintenanceTarget {
  return {
    async status() {
      const s = await client.maintenance.status();
      return {
        revision: Number(s.header.revision),
        dbSize: Number(s.dbSize),
        dbSizeInUse: Number(s.dbSizeInUse),
      };
    },
    async compact(revision) {
      // physical: return once the compaction is applied on the member, so the status after it
      // counts the pages it freed.
      await client.kv.compact({ revision: String(revision), physical: true });
    },
    async defragment() {
      await client.maintenance.defragment();
    },
  };
}
