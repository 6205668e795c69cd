// An in-memory ObjectStore for unit tests: the same cache, transactions, revisions, conflicts and
// events as EtcdObjectStore (they share StoreCore), with a Map standing in for etcd.
import type { Logger } from '../../shared/log/index.js';
import type { CommitResult, Compare, Op, RawEvent } from './commit.js';
import { StoreCore } from './core.js';
import { parseObjectKey } from './keys.js';
import type { TxnLimits } from './limits.js';
import type { ObjectKind, ObjectOf } from './types.js';

export class InMemoryObjectStore extends StoreCore {
  private readonly kv = new Map<string, { value: string; modRevision: number }>();
  private storeRevision = 0;
  /** Node, service and task documents written or deleted (claims aside), for tests that assert
   * a reconciler avoids needless writes. `stats.commits` counts transactions. */
  objectWrites = 0;

  /** `limits`: what the stand-in etcd accepts per transaction (etcd's defaults unless given). */
  constructor(deps: { log?: Logger; limits?: TxnLimits } = {}) {
    super(deps.log, deps.limits);
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Test hook: a write from "another manager", bypassing this store's cache until it is fed back. */
  async rawPut(key: string, value: string): Promise<number> {
    return (await this.commit([], [{ type: 'put', key, value }])).revision;
  }

  /** Test hook: writes the objects as given (created, or replacing what is there) in a batch. */
  async seed<K extends ObjectKind>(kind: K, ...objects: ObjectOf<K>[]): Promise<void> {
    await this.batch((tx) => {
      for (const o of objects)
        if (tx.get(kind, o.id)) tx.update(kind, o);
        else tx.create(kind, o);
    });
  }

  protected async commit(compares: Compare[], ops: Op[]): Promise<CommitResult> {
    // As etcd: a transaction over the limits is refused outright.
    if (compares.length > this.limits.maxTxnOps || ops.length > this.limits.maxTxnOps)
      throw new Error('etcdserver: too many operations in txn request');
    const inRange = (c: Compare) =>
      [...this.kv.keys()].filter((k) => k >= c.key && k < c.rangeEnd!).sort();
    const failed = compares.some((c) =>
      c.rangeEnd !== undefined
        ? inRange(c).length > 0
        : (this.kv.get(c.key)?.modRevision ?? 0) !== c.modRevision,
    );
    if (failed) {
      const current = new Map<string, number>();
      for (const c of compares)
        if (c.rangeEnd === undefined) current.set(c.key, this.kv.get(c.key)?.modRevision ?? 0);
        else for (const k of inRange(c)) current.set(k, this.kv.get(k)!.modRevision);
      return { succeeded: false, revision: this.storeRevision, current };
    }
    const rev = ++this.storeRevision;
    const events: RawEvent[] = [];
    for (const op of ops) {
      if (parseObjectKey(op.key)) this.objectWrites++;
      if (op.type === 'put') {
        this.kv.set(op.key, { value: op.value, modRevision: rev });
        events.push({ type: 'put', key: op.key, value: op.value, modRevision: rev });
      } else if (this.kv.delete(op.key)) {
        events.push({ type: 'delete', key: op.key, modRevision: rev });
      }
    }
    // Delivered asynchronously, as a watch would.
    queueMicrotask(() => this.applyEvents(events, rev));
    return { succeeded: true, revision: rev };
  }
}
