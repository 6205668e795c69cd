// Commits many independent per-object writes (task creation, placement, status) as several store
// batches in flight at once: etcd amortises its disk sync over concurrent transactions (on the
// 2-core test machine, 8 concurrent transactions of 100 writes commit ~2x faster than one by one).
import type { ObjectStore, StoreTx } from '../store/types.js';

export interface ParallelCommitOptions {
  /** Items per store.batch call. @default 100 */
  chunk?: number;
  /** store.batch calls in flight. @default 4 */
  concurrency?: number;
}

export async function commitParallel<T>(
  store: ObjectStore,
  items: readonly T[],
  apply: (tx: StoreTx, item: T) => void,
  opts: ParallelCommitOptions = {},
): Promise<void> {
  const size = opts.chunk ?? 100;
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++];
      await store.batch((tx) => {
        for (const item of chunk) apply(tx, item);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, chunks.length) }, worker));
}
