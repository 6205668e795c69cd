// Rotates the keys of encrypted overlay networks on the leader: a network whose newest key is
// older than `rotateMs` gets a new one (the previous stays accepted). Nodes on the network receive
// the new list over their sessions (OverlayChanges.keys); nothing is logged of the keys.
import type { Logger } from '../../shared/log/index.js';
import type { ObjectStore } from '../store/index.js';
import { needsRotation, rotatedKeys, type StoredNetwork } from './keys.js';

export class KeyRotation {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly log: Logger;

  constructor(
    private readonly deps: {
      store: ObjectStore;
      log: Logger;
      clock: { now(): number };
      sealingKey: () => Buffer;
      /** @default 12 h */
      rotateMs?: number;
    },
  ) {
    this.log = deps.log.child({ component: 'network-keys' });
  }

  private get rotateMs(): number {
    return this.deps.rotateMs ?? 12 * 3600_000;
  }

  async start(): Promise<void> {
    // Checked a few times per period: a key is never more than a quarter period late.
    const everyMs = Math.max(100, Math.min(60_000, Math.floor(this.rotateMs / 4)));
    this.timer = setInterval(() => {
      this.running ??= this.pass()
        .then(() => undefined)
        .finally(() => (this.running = undefined));
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Rotates every network that is due; returns how many were. */
  async pass(): Promise<number> {
    const now = this.deps.clock.now();
    let rotated = 0;
    for (const n of this.deps.store.list('network') as StoredNetwork[]) {
      if (!needsRotation(n, this.rotateMs, now)) continue;
      try {
        await this.deps.store.update((tx) => {
          const cur = tx.get('network', n.id) as StoredNetwork | undefined;
          if (!cur || !needsRotation(cur, this.rotateMs, now)) return;
          const keys = rotatedKeys(cur, this.deps.sealingKey(), now);
          tx.update('network', { ...cur, keys, version: cur.version + 1 } as StoredNetwork);
          rotated++;
        });
        this.log.info({ networkId: n.id }, 'network key rotated');
      } catch (err) {
        this.log.warn({ err, networkId: n.id }, 'network key rotation failed, will retry');
      }
    }
    return rotated;
  }
}
