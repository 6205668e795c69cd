import { describe, expect, it } from 'vitest';
import { restartDelayMs, shouldRestart } from './policy.js';

describe('restart policies', () => {
  it('never restarts with no policy, "no", or after a manual stop', () => {
    expect(shouldRestart(undefined, 1, 0, false)).toBe(false);
    expect(shouldRestart({ name: 'no' }, 1, 0, false)).toBe(false);
    expect(shouldRestart({ name: 'always' }, 1, 0, true)).toBe(false);
    expect(shouldRestart({ name: 'unless-stopped' }, 0, 0, true)).toBe(false);
  });
  it('always and unless-stopped restart on any exit', () => {
    expect(shouldRestart({ name: 'always' }, 0, 50, false)).toBe(true);
    expect(shouldRestart({ name: 'unless-stopped' }, 0, 50, false)).toBe(true);
  });
  it('on-failure restarts on non-zero exits up to max retries (0 = no limit)', () => {
    expect(shouldRestart({ name: 'on-failure' }, 0, 0, false)).toBe(false);
    expect(shouldRestart({ name: 'on-failure', maxRetries: 2 }, 1, 1, false)).toBe(true);
    expect(shouldRestart({ name: 'on-failure', maxRetries: 2 }, 1, 2, false)).toBe(false);
    expect(shouldRestart({ name: 'on-failure', maxRetries: 0 }, 1, 999, false)).toBe(true);
  });
});

describe('restart backoff', () => {
  it('starts at 100 ms and doubles per consecutive restart, capped at one minute', () => {
    const schedule = Array.from({ length: 12 }, (_, n) => restartDelayMs(n, 50));
    expect(schedule).toEqual([
      100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000,
    ]);
    expect(restartDelayMs(1000, 0)).toBe(60000);
  });
  it('resets after a run of 10 s or more', () => {
    expect(restartDelayMs(9, 9_999)).toBe(51200);
    expect(restartDelayMs(9, 10_000)).toBe(100);
  });
});
