import { describe, expect, it } from 'vitest';
import type { ObjectStore, StoreTx } from '../store/types.js';
import { commitParallel } from './commit.js';

/** A store that records which items each transaction applied. */
function recordingStore(): { store: ObjectStore; batches: string[][] } {
  const batches: string[][] = [];
  const store = {
    batchOpsPerTx: 4,
    async batch(fn: (tx: StoreTx) => void) {
      const items: string[] = [];
      fn({ items } as unknown as StoreTx);
      batches.push(items);
    },
  } as unknown as ObjectStore;
  return { store, batches };
}

const apply = (tx: StoreTx, item: string) =>
  (tx as unknown as { items: string[] }).items.push(item);

describe('commitParallel', () => {
  it('chunks items into transactions of the store batch size, every item once', async () => {
    const { store, batches } = recordingStore();
    const items = Array.from({ length: 10 }, (_, i) => `t${i}`);
    await commitParallel(store, items, apply);
    expect(batches.map((b) => b.length).sort()).toEqual([2, 4, 4]);
    expect(batches.flat().sort()).toEqual([...items].sort());
  });

  it('with groupBy, writes items of the same key in the same transaction', async () => {
    const { store, batches } = recordingStore();
    // Spread placement: node a, b, c, a, b, c, ... one task each per round.
    const items = Array.from({ length: 12 }, (_, i) => `${'abc'[i % 3]}${Math.floor(i / 3)}`);
    await commitParallel(store, items, apply, { groupBy: (item) => item[0], concurrency: 1 });
    expect(batches).toEqual([
      ['a0', 'a1', 'a2', 'a3'],
      ['b0', 'b1', 'b2', 'b3'],
      ['c0', 'c1', 'c2', 'c3'],
    ]);
  });
});
