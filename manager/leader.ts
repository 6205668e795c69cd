// Leader election over etcd: the manager that creates /flotilla/v1/election under its lease leads
// and runs the reconcilers; the others watch the key and campaign again when it disappears (the
// leader resigned, or its lease expired after it died). Runs only hooks; knows no reconciler.
//
//   follower ──create key wins──► leader ──lease lost / stop()──► follower (stop hooks run first)
//       ▲                                                              │
//       └──────────────── key deleted: campaign again ◄────────────────┘
import type { Etcd3, Lease } from 'etcd3';
import type { Logger } from '../shared/log/index.js';
import { electionKey, rootPrefix } from './store/index.js';

/** Every live manager registers here under its lease: who can serve agents and the API. */
const managersPrefix = `${rootPrefix}managers/`;

export interface LeaderInfo {
  managerId: string;
  apiAddr: string;
  grpcAddr: string;
}

type Hook = () => Promise<void> | void;

export class LeaderElection {
  private leading = false;
  private stopped = false;
  private readonly hooks: { start: Hook; stop: Hook }[] = [];
  private lease?: Lease;
  private wake?: () => void;
  private loop?: Promise<void>;
  private readonly log: Logger;

  constructor(
    private readonly deps: {
      client: Etcd3;
      log: Logger;
      info: LeaderInfo;
      /** Lease TTL: how long a dead leader keeps the role. @default 3 */
      ttlSeconds?: number;
    },
  ) {
    this.log = deps.log.child({ component: 'leader' });
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** `start` runs each time this manager becomes leader, `stop` each time it stops being one. */
  onLeadership(start: Hook, stop: Hook): void {
    this.hooks.push({ start, stop });
    if (this.leading) void this.run(start, 'start');
  }

  /** Who leads now, from etcd (undefined while nobody does). */
  async leaderInfo(): Promise<LeaderInfo | undefined> {
    const v = await this.deps.client.get(electionKey).string();
    return v ? (JSON.parse(v) as LeaderInfo) : undefined;
  }

  /** The managers alive now (each registered under its own lease). */
  async managers(): Promise<LeaderInfo[]> {
    const all = await this.deps.client.getAll().prefix(managersPrefix).strings();
    return Object.values(all)
      .map((v) => JSON.parse(v) as LeaderInfo)
      .sort((a, b) => a.managerId.localeCompare(b.managerId));
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.loop = this.campaignLoop();
  }

  /** Resigns (revokes the lease so a successor need not wait for the TTL) after the stop hooks. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async campaignLoop(): Promise<void> {
    const c = this.deps.client;
    while (!this.stopped) {
      try {
        const lease = c.lease(this.deps.ttlSeconds ?? 3);
        this.lease = lease;
        const leaseId = await lease.grant();
        await c
          .put(managersPrefix + this.deps.info.managerId)
          .value(JSON.stringify(this.deps.info))
          .lease(leaseId);
        let lost = false;
        lease.on('lost', (err) => {
          lost = true;
          this.log.warn({ err }, 'leader lease lost');
          this.wake?.();
        });
        while (!this.stopped && !lost) {
          const res = await c
            .if(electionKey, 'Create', '==', 0)
            .then(c.put(electionKey).value(JSON.stringify(this.deps.info)).lease(leaseId))
            .else(c.get(electionKey))
            .commit();
          if (res.succeeded) {
            await this.lead(() => lost);
            break;
          }
          await this.waitForVacancy(Number(res.header.revision) + 1, () => lost);
        }
        await lease.revoke().catch(() => undefined);
      } catch (err) {
        this.log.warn({ err }, 'leader election failed, retrying');
        await this.pause(1000);
      }
    }
  }

  private async lead(isLost: () => boolean): Promise<void> {
    this.leading = true;
    this.log.info({ managerId: this.deps.info.managerId }, 'became leader');
    for (const h of this.hooks) await this.run(h.start, 'start');
    while (!this.stopped && !isLost()) await this.pause(60_000);
    this.leading = false;
    for (const h of [...this.hooks].reverse()) await this.run(h.stop, 'stop');
    this.log.info({ managerId: this.deps.info.managerId }, 'stopped leading');
  }

  private async waitForVacancy(fromRevision: number, isLost: () => boolean): Promise<void> {
    const w = await this.deps.client
      .watch()
      .key(electionKey)
      .startRevision(String(fromRevision))
      .create();
    let vacant = false;
    w.on('delete', () => {
      vacant = true;
      this.wake?.();
    });
    // The watch could have been created after the delete it should see: check once more.
    if (!(await this.deps.client.get(electionKey).string())) vacant = true;
    while (!vacant && !this.stopped && !isLost()) await this.pause(60_000);
    await w.cancel().catch(() => undefined);
  }

  /** Sleeps until woken (lease lost, vacancy, stop) or the time passes. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(hook: Hook, what: string): Promise<void> {
    try {
      await hook();
    } catch (err) {
      this.log.error({ err, hook: what }, 'leadership hook failed');
    }
  }
}
