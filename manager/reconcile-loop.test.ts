import { describe, expect, it } from 'vitest';
import { createLogger } from '../shared/log/index.js';
import { ReconcileLoop, retryDelay } from './reconcile-loop.js';

const log = createLogger({ proc: 'test', level: 'silent' });
const clock = { now: () => Date.now() };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await sleep(5);
  }
}

describe('ReconcileLoop', () => {
  it('coalesces kicks into one pass and runs exactly one more for kicks during a pass', async () => {
    let passes = 0;
    let release!: () => void;
    const loop = new ReconcileLoop({
      name: 'test pass',
      log,
      clock,
      debounceMs: 5,
      pass: async () => {
        passes++;
        if (passes === 1) await new Promise<void>((r) => (release = r));
      },
    });
    loop.start();
    loop.kick();
    loop.kick();
    await until(() => passes === 1);
    // Three kicks while the first pass runs: one more pass, not three, and never overlapping.
    loop.kick();
    loop.kick();
    loop.kick();
    await sleep(30);
    expect(passes).toBe(1);
    release();
    await until(() => passes === 2);
    await sleep(30);
    expect(passes).toBe(2);
    await loop.stop();
    loop.kick();
    await sleep(30);
    expect(passes).toBe(2);
  });

  it('wakes itself when a pass asks to, and retries a failed pass', async () => {
    const at: number[] = [];
    let fail = 2;
    const loop = new ReconcileLoop({
      name: 'test pass',
      log,
      clock,
      debounceMs: 1,
      pass: async () => {
        at.push(Date.now());
        if (fail > 0) {
          fail--;
          throw new Error('etcd unavailable');
        }
        return at.length === 3 ? { wakeAtMs: Date.now() + 20 } : undefined;
      },
    });
    loop.start();
    // Two failures retried without any kick, then a pass that asks to be woken, then the wake.
    await until(() => at.length === 4);
    await loop.stop();
  });

  it('backs off retries up to 5 s so a persistent error does not spin', () => {
    expect([1, 2, 3, 7, 20].map((n) => retryDelay(50, n))).toEqual([100, 200, 400, 5000, 5000]);
  });
});
