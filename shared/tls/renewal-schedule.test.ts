import { afterEach, describe, expect, it, vi } from 'vitest';
import { RenewalTimer } from './renewal-timer.js';
import { isExpired, renewalDelayMs } from './renewal-schedule.js';

const day = 86_400_000;
const issued = Date.UTC(2026, 0, 1);
const ninetyDays = { notBefore: new Date(issued), notAfter: new Date(issued + 90 * day) };

describe('renewalDelayMs', () => {
  it('plans the renewal at 50 % of the lifetime when the random draw is 0', () => {
    expect(renewalDelayMs(ninetyDays, issued, () => 0)).toBe(45 * day);
  });

  it('plans it at 80 % at the latest', () => {
    expect(renewalDelayMs(ninetyDays, issued, () => 0.999999)).toBeCloseTo(72 * day, -4);
    expect(renewalDelayMs(ninetyDays, issued, () => 0.999999)).toBeLessThanOrEqual(72 * day);
  });

  it('spreads renewals of certificates issued together across the window', () => {
    const draws = [0.1, 0.5, 0.9];
    const delays = draws.map((r) => renewalDelayMs(ninetyDays, issued, () => r));
    expect(new Set(delays).size).toBe(3);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(45 * day);
      expect(d).toBeLessThanOrEqual(72 * day);
    }
  });

  it('counts from the clock reading: later readings leave less time', () => {
    expect(renewalDelayMs(ninetyDays, issued + 10 * day, () => 0)).toBe(35 * day);
  });

  it('renews at once when the renewal point has passed', () => {
    expect(renewalDelayMs(ninetyDays, issued + 80 * day, () => 0.5)).toBe(0);
    expect(renewalDelayMs(ninetyDays, issued + 100 * day, () => 0.5)).toBe(0);
  });

  it('renews at once a certificate without a lifetime', () => {
    const odd = { notBefore: new Date(issued), notAfter: new Date(issued) };
    expect(renewalDelayMs(odd, issued - day, () => 0.5)).toBe(0);
  });

  it('tells an expired certificate from a valid one', () => {
    expect(isExpired(ninetyDays, issued + 89 * day)).toBe(false);
    expect(isExpired(ninetyDays, issued + 90 * day)).toBe(true);
  });
});

describe('RenewalTimer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires once at a point further away than setTimeout can wait', () => {
    vi.useFakeTimers({ now: issued });
    const fire = vi.fn();
    const timer = new RenewalTimer(fire);
    timer.at(issued + 60 * day);
    vi.advanceTimersByTime(59 * day);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(day);
    expect(fire).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(100 * day);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('replaces the earlier plan and can be cleared', () => {
    vi.useFakeTimers({ now: issued });
    const fire = vi.fn();
    const timer = new RenewalTimer(fire);
    timer.at(issued + day);
    timer.at(issued + 2 * day);
    vi.advanceTimersByTime(day);
    expect(fire).not.toHaveBeenCalled();
    timer.clear();
    vi.advanceTimersByTime(2 * day);
    expect(fire).not.toHaveBeenCalled();
  });
});
