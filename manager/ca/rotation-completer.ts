// Leader only: ends a CA rotation once every node reports a certificate of the new root and every
// live manager serves one, by dropping the old root from the cluster object (rotation.ts). Checks
// again on node changes, on cluster changes and every few seconds (managers come and go in etcd).
import type { Logger } from '../../shared/log/index.js';
import type { StoreCore } from '../store/index.js';
import type { ClusterCa } from './cluster-ca.js';
import { completeRotation, rotationComplete, rotationProgress } from './rotation.js';

export class RotationCompleter {
  private readonly log: Logger;
  private offStore?: () => void;
  private offCa?: () => void;
  private timer?: NodeJS.Timeout;
  private checking = false;
  private again = false;

  constructor(
    private readonly deps: {
      ca: ClusterCa;
      store: StoreCore;
      /** Ids of the managers alive now (LeaderElection.managers). */
      managerIds: () => Promise<string[]>;
      log: Logger;
      /** @default 3000 */
      intervalMs?: number;
    },
  ) {
    this.log = deps.log.child({ component: 'ca-rotation' });
  }

  async start(): Promise<void> {
    this.offStore = this.deps.store.subscribe((e) => {
      if (e.kind === 'node') this.check();
    });
    this.offCa = this.deps.ca.onChange(() => this.check());
    this.timer = setInterval(() => this.check(), this.deps.intervalMs ?? 3000);
    this.timer.unref();
    this.check();
  }

  async stop(): Promise<void> {
    this.offStore?.();
    this.offCa?.();
    clearInterval(this.timer);
  }

  private check(): void {
    if (!this.deps.ca.cluster.ca.rotation) return;
    if (this.checking) {
      this.again = true;
      return;
    }
    this.checking = true;
    void this.once()
      .catch((err) => this.log.warn({ err }, 'checking the CA rotation failed'))
      .finally(() => {
        this.checking = false;
        if (this.again) {
          this.again = false;
          this.check();
        }
      });
  }

  private async once(): Promise<void> {
    const c = this.deps.ca.cluster;
    const rotation = c.ca.rotation;
    if (!rotation) return;
    const progress = rotationProgress(
      c,
      this.deps.store.list('node'),
      await this.deps.managerIds(),
    );
    if (!rotationComplete(progress)) return;
    if (await completeRotation(this.deps.store, rotation.startedAt))
      this.log.info(
        { nodes: progress.nodes.total, managers: progress.managers.total },
        'CA rotation complete: the old root is no longer trusted',
      );
  }
}
