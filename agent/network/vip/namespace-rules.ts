// Keeps every local overlay container's VIP rules (vip/render.ts) in its own network namespace in
// step with the serving endpoints: a change marks the containers on the changed networks, and one
// worker rewrites each marked namespace with one iptables-restore. Changes that arrive while it
// works are coalesced into its next round. Rules live and die with the namespace: a container that
// goes takes them along, and is only forgotten here.
import { existsSync } from 'node:fs';
import type { Logger } from '../../../shared/log/index.js';
import type { DiscoveryTable, OverlayViewChange } from '../discovery/index.js';
import { run } from '../exec.js';
import {
  namespaceRules,
  renderChainUpdate,
  renderNamespaceRules,
  renderVipFragment,
  type NamespaceRules,
  type VipFragment,
} from './render.js';

export interface VipRulesDeps {
  table: DiscoveryTable;
  log: Logger;
  /**
   * Feeds `rules` to iptables-restore in the namespace: the complete nat and filter tables, or
   * (`noflush`) only the VIP chains that changed. @default nsenter --net=PATH iptables-restore -w
   */
  restore?: (netnsPath: string, rules: string, noflush: boolean) => Promise<void>;
  /**
   * Forgets the namespace's unanswered flows towards addresses that left a VIP, so a retransmitted
   * SYN meets the new rules. @default nsenter … conntrack -D --reply-src ADDR (failures ignored)
   */
  forget?: (netnsPath: string, addresses: string[]) => Promise<void>;
  /** Namespaces rewritten at once. @default 4 */
  concurrency?: number;
  /** Wait before a failed rewrite is tried again. @default 1000 */
  retryMs?: number;
}

export async function nsenterRestore(
  netnsPath: string,
  rules: string,
  noflush: boolean,
): Promise<void> {
  const args = [`--net=${netnsPath}`, 'iptables-restore', '-w', ...(noflush ? ['--noflush'] : [])];
  await run('nsenter', args, { input: rules });
}

export async function nsenterForget(netnsPath: string, addresses: string[]): Promise<void> {
  for (const a of addresses)
    for (const extra of [
      ['-p', 'tcp', '--state', 'SYN_SENT'],
      ['-p', 'udp'],
    ])
      await run('nsenter', [`--net=${netnsPath}`, 'conntrack', '-D', '--reply-src', a, ...extra], {
        allowFailure: true,
      });
}

const targets = (bodies: (string | undefined)[]): Set<string> =>
  new Set(
    bodies.flatMap((b) => [...(b ?? '').matchAll(/--to-destination (\S+)/g)].map((m) => m[1])),
  );

export class VipRules {
  /** Container id → the rules its namespace holds now. */
  private readonly applied = new Map<string, NamespaceRules>();
  private readonly dirty = new Set<string>();
  private readonly fragments = new Map<string, VipFragment>();
  private readonly log: Logger;
  private unsubscribe?: () => void;
  private worker?: Promise<void>;
  private readonly retries = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: VipRulesDeps) {
    this.log = deps.log.child({ component: 'vip' });
  }

  async start(): Promise<void> {
    this.unsubscribe = this.deps.table.onChange((c) => this.changed(c));
    for (const c of this.deps.table.view.localContainers()) this.dirty.add(c.containerId);
    this.kick();
    await this.settled();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const t of this.retries) clearTimeout(t);
    this.retries.clear();
    this.dirty.clear();
    await this.worker;
  }

  /** Resolves once every change seen so far is in the namespaces (tests, benchmarks). */
  async settled(): Promise<void> {
    while (this.worker) await this.worker;
  }

  /** The complete rules `containerId`'s namespace should hold now (iptables-restore input). */
  render(containerId: string): string | undefined {
    const r = this.rulesFor(containerId);
    return r && renderNamespaceRules(r);
  }

  private rulesFor(containerId: string): NamespaceRules | undefined {
    const c = this.deps.table.view.localContainer(containerId);
    if (!c) return undefined;
    const frags: VipFragment[] = [];
    for (const id of new Set(c.interfaces.map((i) => i.networkId))) {
      let f = this.fragments.get(id);
      if (!f) {
        const names = this.deps.table.names(id);
        if (!names) continue;
        f = renderVipFragment(names);
        this.fragments.set(id, f);
      }
      frags.push(f);
    }
    return namespaceRules(frags);
  }

  private changed(c: OverlayViewChange): void {
    const nets = new Set(c.networkIds);
    for (const id of nets) this.fragments.delete(id);
    if (nets.size)
      for (const ctr of this.deps.table.view.localContainers())
        if (ctr.interfaces.some((i) => nets.has(i.networkId))) this.dirty.add(ctr.containerId);
    for (const id of c.containerIds) {
      if (this.deps.table.view.localContainer(id)) this.dirty.add(id);
      else this.applied.delete(id); // its namespace, and the rules in it, went with it
    }
    this.kick();
  }

  private kick(): void {
    if (this.worker || !this.dirty.size) return;
    this.worker = this.drain().finally(() => {
      this.worker = undefined;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    // Let a burst of synchronous changes (one session message) land before the first round.
    await new Promise((r) => setImmediate(r));
    while (this.dirty.size) {
      const batch = [...this.dirty];
      this.dirty.clear();
      // Rules first, in every namespace; conntrack cleanup after, so it never delays a rewrite.
      const forgets: (() => Promise<void>)[] = [];
      await this.inLanes(batch.map((id) => () => this.applyOne(id, forgets)));
      await this.inLanes(forgets);
    }
  }

  private async inLanes(jobs: (() => Promise<void>)[]): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < jobs.length) await jobs[next++]();
    };
    const lanes = Math.min(this.deps.concurrency ?? 4, jobs.length);
    await Promise.all(Array.from({ length: lanes }, lane));
  }

  private retryLater(containerId: string): void {
    if (!this.unsubscribe) return;
    const t = setTimeout(() => {
      this.retries.delete(t);
      this.dirty.add(containerId);
      this.kick();
    }, this.deps.retryMs ?? 1000);
    t.unref();
    this.retries.add(t);
  }

  private async applyOne(containerId: string, forgets: (() => Promise<void>)[]): Promise<void> {
    const c = this.deps.table.view.localContainer(containerId);
    const next = this.rulesFor(containerId);
    if (!c || !next) return;
    const before = this.applied.get(containerId);
    // Same skeleton: only the ladders of VIPs whose serving set changed are rewritten.
    const changed =
      before?.skeleton === next.skeleton
        ? [...next.chains.keys()].filter((k) => before.chains.get(k) !== next.chains.get(k))
        : undefined;
    if (changed && !changed.length) return;
    const restore = this.deps.restore ?? nsenterRestore;
    try {
      if (changed) await restore(c.netnsPath, renderChainUpdate(next, changed), true);
      else await restore(c.netnsPath, renderNamespaceRules(next), false);
      this.applied.set(containerId, next);
    } catch (err) {
      if (!existsSync(c.netnsPath)) return; // the container is going; its view entry follows
      this.applied.delete(containerId); // unknown state: the retry writes everything
      this.log.warn({ err, containerId }, 'vip rules not applied, will retry');
      this.retryLater(containerId);
      return;
    }
    if (!before) return;
    const keys = changed ?? [...before.chains.keys()];
    const now = targets(keys.map((k) => next.chains.get(k)));
    const gone = [...targets(keys.map((k) => before.chains.get(k)))].filter((a) => !now.has(a));
    const forget = this.deps.forget ?? nsenterForget;
    if (gone.length) forgets.push(() => forget(c.netnsPath, gone));
  }
}
