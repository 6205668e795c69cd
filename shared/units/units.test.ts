import { describe, expect, it } from 'vitest';
import { formatDurationNs, parseDurationNs } from './duration.js';
import { formatBinaryBytes, formatBytes, parseBytes } from './bytes.js';

describe('durations', () => {
  it.each([
    ['1m30s', 90e9],
    ['500ms', 5e8],
    ['1.5h', 5400e9],
    ['10s', 10e9],
    ['0', 0],
    ['2h45m', 9900e9],
    ['100us', 1e5],
  ])('parses %s', (text, ns) => expect(parseDurationNs(text)).toBe(ns));

  it.each(['', '10', 'ten', '1x', '5 s'])('rejects %j naming the field', (text) => {
    expect(() => parseDurationNs(text, 'services.web.healthcheck.interval')).toThrow(
      /services\.web\.healthcheck\.interval: invalid duration/,
    );
  });

  it('formats like Go', () => {
    expect(formatDurationNs(90e9)).toBe('1m30s');
    expect(formatDurationNs(5e8)).toBe('500ms');
    expect(formatDurationNs(3600e9)).toBe('1h0m0s');
  });
});

describe('sizes', () => {
  it.each([
    ['512M', 512 * 1024 ** 2],
    ['1.5G', 1.5 * 1024 ** 3],
    ['100k', 102400],
    ['1024', 1024],
    ['64mb', 64 * 1024 ** 2],
  ])('parses %s', (text, n) => expect(parseBytes(text)).toBe(n));
  it('rejects nonsense', () =>
    expect(() => parseBytes('lots', '--memory')).toThrow(/--memory: invalid size "lots"/));
  it('formats decimal', () => expect(formatBytes(7_500_000)).toBe('7.5MB'));
  it.each([
    [64 * 1024 ** 2, '64MiB'],
    [283_000, '276.4KiB'],
    [25_300_000_000, '23.56GiB'],
    [512, '512B'],
  ])('formats %i as docker stats memory: %s', (n, text) => expect(formatBinaryBytes(n)).toBe(text));
});
