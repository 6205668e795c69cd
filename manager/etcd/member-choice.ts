// Which etcd member a manager's next call, watch or lease stream goes to: its own member first (on
// loopback, never cut off from it), the others while that one fails, and only current members.
// Pure logic over a clock, so that store-client.ts stays wiring and the order is unit-tested.

export interface MemberChoiceOptions {
  /** This manager's own member (the embedded etcd's loopback URL); none on an external etcd. */
  own?: string;
  /** Every member's client URL, OWN included. */
  members: string[];
  clock: { now(): number };
  /** How long a member that failed goes behind the others. @default 5000 */
  failedForMs?: number;
  /** @default Math.random */
  random?: () => number;
}

export class MemberChoice {
  private members: string[];
  /** When each member last failed (a refused or dropped connection, a timeout). */
  private readonly failedAt = new Map<string, number>();

  constructor(private readonly o: MemberChoiceOptions) {
    this.members = unique(o.own ? [o.own, ...o.members] : o.members);
  }

  /** The current members, in no particular order. */
  get hosts(): readonly string[] {
    return this.members;
  }

  /**
   * The order to try the members in now: the own member, then the others at random, then those
   * that failed in the last `failedForMs` (the own one among them), longest ago first, so that a
   * call still finds one when all have failed.
   */
  order(): string[] {
    const now = this.o.clock.now();
    const failedFor = this.o.failedForMs ?? 5000;
    const down = (h: string) => {
      const at = this.failedAt.get(h);
      return at !== undefined && now - at < failedFor;
    };
    const own = this.o.own && this.members.includes(this.o.own) ? this.o.own : undefined;
    const up = this.shuffle(this.members.filter((h) => h !== own && !down(h)));
    const failed = this.members
      .filter((h) => down(h))
      .sort((a, b) => this.failedAt.get(a)! - this.failedAt.get(b)!);
    return [...(own && !down(own) ? [own] : []), ...up, ...failed];
  }

  /** MEMBER failed a call or dropped a stream: it goes behind the others for a while. */
  failed(member: string): void {
    if (this.members.includes(member)) this.failedAt.set(member, this.o.clock.now());
  }

  /** MEMBER answered: it takes its place again. */
  answered(member: string): void {
    this.failedAt.delete(member);
  }

  /**
   * The cluster's members now (from a member list): a member no longer in it is dropped, a new
   * one added. The own member stays only while it is listed (a removed manager stops anyway). An
   * empty list changes nothing. Returns what changed.
   */
  update(members: string[]): { added: string[]; removed: string[] } {
    const next = unique(members);
    if (next.length === 0) return { added: [], removed: [] };
    const removed = this.members.filter((h) => !next.includes(h));
    const added = next.filter((h) => !this.members.includes(h));
    for (const h of removed) this.failedAt.delete(h);
    this.members = next;
    return { added, removed };
  }

  private shuffle(hosts: string[]): string[] {
    const random = this.o.random ?? Math.random;
    for (let i = hosts.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [hosts[i], hosts[j]] = [hosts[j], hosts[i]];
    }
    return hosts;
  }
}

function unique(hosts: string[]): string[] {
  return [...new Set(hosts)];
}
