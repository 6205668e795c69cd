// The gRPC addresses of the managers alive now, as agents need them to fail over. Every manager
// keeps a record under its own lease (manager/leader.ts), so a manager that dies drops out of the
// list within the lease TTL. The directory re-reads that list on a short period (one small range
// read) and tells its listener when the set of addresses changes; the dispatcher forwards it to
// every agent session, which is how an agent connected to the leader learns of a manager that
// joined later and can reconnect there when the leader dies.
import type { Logger } from '../shared/log/index.js';
import type { Startable } from './components.js';

export interface ManagerDirectoryDeps {
  /** This manager's own gRPC address: always in the list (it is serving the session). */
  self: string;
  /** The managers registered now (LeaderElection.managers). */
  list: () => Promise<{ grpcAddr: string }[]>;
  log: Logger;
  /** How often to re-read the list. @default 1000 */
  refreshMs?: number;
}

export class ManagerDirectory implements Startable {
  private current: string[];
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private readonly listeners: ((addrs: string[]) => void)[] = [];
  private readonly log: Logger;

  constructor(private readonly deps: ManagerDirectoryDeps) {
    this.current = [deps.self];
    this.log = deps.log.child({ component: 'manager-directory' });
  }

  /** The addresses known now, sorted, this manager's own included. */
  addrs(): string[] {
    return [...this.current];
  }

  /** Called with the new list each time the set of addresses changes. */
  onChange(listener: (addrs: string[]) => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.deps.refreshMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.refreshing;
  }

  /** Re-reads the list now (also what the timer does); overlapping calls share one read. */
  refresh(): Promise<void> {
    this.refreshing ??= this.read().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async read(): Promise<void> {
    let registered: { grpcAddr: string }[];
    try {
      registered = await this.deps.list();
    } catch (err) {
      // etcd unreachable for a moment: keep the last list, agents still have somewhere to go.
      this.log.debug({ err }, 'could not read the manager list');
      return;
    }
    const next = [...new Set([this.deps.self, ...registered.map((m) => m.grpcAddr)])]
      .filter(Boolean)
      .sort();
    if (next.join() === this.current.join()) return;
    this.log.info({ managers: next }, 'managers changed');
    this.current = next;
    for (const l of this.listeners) l(this.addrs());
  }
}
