import { describe, expect, it } from 'vitest';
import { Mutex } from './mutex.js';

describe('Mutex', () => {
  it('runs calls one after another in call order, and a failure does not stop the next', async () => {
    const m = new Mutex();
    const seen: string[] = [];
    let release!: () => void;
    const first = m.run(async () => {
      await new Promise<void>((r) => (release = r));
      seen.push('first');
    });
    const failing = m.run(async () => {
      seen.push('second');
      throw new Error('boom');
    });
    const third = m.run(async () => {
      seen.push('third');
      return 3;
    });
    await Promise.resolve();
    expect(seen).toEqual([]);
    release();
    await first;
    await expect(failing).rejects.toThrow('boom');
    expect(await third).toBe(3);
    await m.idle();
    expect(seen).toEqual(['first', 'second', 'third']);
  });
});
