// How big a transaction may be (what the etcd server accepts), how a batch's writes are cut into
// transactions within that, and the counters the store keeps of what it sent. Used by StoreCore.

/** One object's writes as a batch commits them (tx.ts's CompiledUnit, structurally). */
interface WriteUnit {
  compares: readonly unknown[];
  ops: readonly ({ type: 'put'; key: string; value: string } | { type: 'delete'; key: string })[];
}

/** What the etcd server accepts in one transaction (its --max-txn-ops and --max-request-bytes). */
export interface TxnLimits {
  maxTxnOps: number;
  maxRequestBytes: number;
}
/** etcd's defaults, assumed unless the store is told otherwise. */
export const defaultTxnLimits: TxnLimits = { maxTxnOps: 128, maxRequestBytes: 1.5 * 2 ** 20 };

/** Counters of what the store sent to etcd and got back, for benchmarks and debugging. */
export interface StoreStats {
  /** Transactions committed (succeeded) and refused on a compare. */
  commits: number;
  conflicts: number;
  /** Put and delete operations in committed transactions, and their keys' and values' bytes. */
  ops: number;
  bytes: number;
  /** Largest committed transaction, in operations. */
  maxOpsPerCommit: number;
  /** Watch events applied to the cache. */
  events: number;
}

/**
 * Groups write units into transactions of at most maxOps operations and maxOps compares, and about
 * maxBytes of keys and values (a single larger unit still goes alone).
 */
export function chunkUnits<U extends WriteUnit>(
  units: U[],
  maxOps: number,
  maxBytes: number,
): U[][] {
  const chunks: U[][] = [];
  let cur: U[] = [];
  let ops = 0;
  let cmps = 0;
  let bytes = 0;
  for (const u of units) {
    let size = 0;
    for (const op of u.ops) size += op.key.length + (op.type === 'put' ? op.value.length : 0);
    if (
      cur.length &&
      (ops + u.ops.length > maxOps || cmps + u.compares.length > maxOps || bytes + size > maxBytes)
    ) {
      chunks.push(cur);
      cur = [];
      ops = 0;
      cmps = 0;
      bytes = 0;
    }
    cur.push(u);
    ops += u.ops.length;
    cmps += u.compares.length;
    bytes += size;
  }
  if (cur.length) chunks.push(cur);
  return chunks;
}
