import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RoundScheduler } from './round-scheduler.js';

describe('RoundScheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'Date'] });
  });
  afterEach(() => vi.useRealTimers());

  it('runs an urgent round on the next turn, once for a burst', () => {
    const round = vi.fn();
    const s = new RoundScheduler(250, round);
    s.schedule(true);
    s.schedule(true);
    s.schedule(false);
    expect(round).not.toHaveBeenCalled();
    vi.advanceTimersToNextTimer();
    expect(round).toHaveBeenCalledTimes(1);
  });

  it('coalesces non-urgent rounds into one per interval', () => {
    const round = vi.fn();
    const s = new RoundScheduler(250, round);
    s.schedule(false);
    vi.advanceTimersByTime(0);
    expect(round).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 10; i++) s.schedule(false);
    vi.advanceTimersByTime(249);
    expect(round).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(round).toHaveBeenCalledTimes(2);
  });

  it('an urgent request overtakes a pending batched round', () => {
    const round = vi.fn();
    const s = new RoundScheduler(250, round);
    s.schedule(false);
    vi.advanceTimersByTime(0);
    s.schedule(false);
    s.schedule(true);
    vi.advanceTimersToNextTimer();
    expect(round).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1000);
    expect(round).toHaveBeenCalledTimes(2);
  });

  it('runs nothing after stop', () => {
    const round = vi.fn();
    const s = new RoundScheduler(250, round);
    s.schedule(false);
    s.stop();
    vi.advanceTimersByTime(1000);
    expect(round).not.toHaveBeenCalled();
  });
});
