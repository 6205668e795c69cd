// Answers NO_QUORUM at once while the etcd cluster has had no leader for a few seconds (a majority
// of the members gone), instead of letting each request wait out etcd's own timeouts and the
// client's retries (over 20 s, past the CLI's patience). Watches the member's status every
// second in the background; an election after a leader's death (1-2 s) is not refused.
import { FlotillaError } from '../../shared/errors/index.js';

export interface QuorumGuardDeps {
  /** etcd's Maintenance.Status of a member: the leader it believes in ('0': none). */
  status(): Promise<{ leader: string }>;
  clock?: { now(): number };
  /** @default 1000 */
  intervalMs?: number;
  /** How long without a leader before requests are refused. @default 3000 */
  toleranceMs?: number;
}

export class QuorumGuard {
  private timer?: NodeJS.Timeout;
  /** Since when the members answering have named no leader (undefined: one did last time). */
  private leaderlessSince?: number;

  constructor(private readonly deps: QuorumGuardDeps) {}

  private now(): number {
    return (this.deps.clock ?? Date).now();
  }

  async start(): Promise<void> {
    this.timer = setInterval(() => void this.look(), this.deps.intervalMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }

  /** One look at the member's status (the timer calls it; tests call it directly). */
  async look(): Promise<void> {
    try {
      const s = await this.deps.status();
      if (s.leader && s.leader !== '0') this.leaderlessSince = undefined;
      else this.leaderlessSince ??= this.now();
    } catch {
      // A member that does not answer says nothing about quorum (the client may have picked a
      // dead one); with none answering, requests fail fast with STORE_UNAVAILABLE by themselves.
    }
  }

  /** Throws NO_QUORUM when the cluster has been leaderless for longer than the tolerance. */
  check(): void {
    if (this.leaderlessSince === undefined) return;
    if (this.now() - this.leaderlessSince < (this.deps.toleranceMs ?? 3000)) return;
    throw new FlotillaError('NO_QUORUM', {
      reason: 'the etcd members that answer elect no leader: too few of them are up',
    });
  }
}
