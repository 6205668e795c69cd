import { describe, expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock.js';

describe('KeyedLock', () => {
  it('runs operations on one key one after another, even after a failure', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    let release!: () => void;
    const first = lock.run('a', async () => {
      order.push('first begins');
      await new Promise<void>((r) => (release = r));
      order.push('first ends');
      throw new Error('first failed');
    });
    const second = lock.run('a', async () => {
      order.push('second');
      return 2;
    });
    await Promise.resolve();
    release();
    await expect(first).rejects.toThrow('first failed');
    expect(await second).toBe(2);
    expect(order).toEqual(['first begins', 'first ends', 'second']);
  });

  it('lets different keys run at the same time', async () => {
    const lock = new KeyedLock();
    let release!: () => void;
    const a = lock.run('a', () => new Promise<void>((r) => (release = r)));
    expect(await lock.run('b', async () => 'b')).toBe('b');
    release();
    await a;
  });

  it('reports a key busy while an operation runs or waits, and free after the last', async () => {
    const lock = new KeyedLock();
    expect(lock.busy('a')).toBe(false);
    let release!: () => void;
    const first = lock.run('a', () => new Promise<void>((r) => (release = r)));
    const second = lock.run('a', async () => undefined);
    expect(lock.busy('a')).toBe(true);
    expect(lock.busy('b')).toBe(false);
    await Promise.resolve();
    release();
    await first;
    expect(lock.busy('a')).toBe(true);
    await second;
    expect(lock.busy('a')).toBe(false);
  });
});
