// Finishes `network rm` of a network that tasks still held addresses on (tasks of services just
// removed, still stopping): the API marks it `removing`, and the leader deletes it once no task
// holds an address on it, so its devices stay on the nodes, and its subnet and VNI are not handed
// out again, until its last task has stopped.
import type { Logger } from '../../shared/log/index.js';
import { isTerminal, type Task } from '../../shared/model/index.js';
import type { ObjectStore, StoreEvent } from '../store/index.js';
import type { StoredNetwork } from './keys.js';

/** True while a task that has not stopped holds an address on the network. */
export function hasLiveTasks(networkId: string, tasks: readonly Task[]): boolean {
  return tasks.some(
    (t) => !isTerminal(t.status.state) && t.networks?.some((a) => a.networkId === networkId),
  );
}

export class NetworkReaper {
  private off?: () => void;
  private pending?: Promise<void>;
  private again = false;
  private readonly log: Logger;

  constructor(private readonly deps: { store: ObjectStore; log: Logger }) {
    this.log = deps.log.child({ component: 'network-reaper' });
  }

  async start(): Promise<void> {
    this.off = this.deps.store.subscribe((e) => this.onEvent(e));
    this.kick();
  }

  async stop(): Promise<void> {
    this.off?.();
    await this.pending;
  }

  private onEvent(e: StoreEvent): void {
    if (e.kind === 'network' || (e.kind === 'task' && e.object.networks?.length)) this.kick();
  }

  private kick(): void {
    if (this.pending) {
      this.again = true;
      return;
    }
    this.pending = this.pass()
      .catch((err) => this.log.warn({ err }, 'removing networks failed, will retry'))
      .finally(() => {
        this.pending = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async pass(): Promise<void> {
    const removing = (this.deps.store.list('network') as StoredNetwork[]).filter((n) => n.removing);
    if (removing.length === 0) return;
    const tasks = this.deps.store.list('task');
    for (const n of removing) {
      if (hasLiveTasks(n.id, tasks)) continue;
      await this.deps.store.update((tx) => {
        if (tx.get('network', n.id)) tx.delete('network', n.id);
      });
      this.log.info({ networkId: n.id }, 'network removed');
    }
  }
}
