import { describe, expect, it } from 'vitest';
import { fileLimits, hasReadCache, resolveLogConfig, spoolLimits } from './config.js';

describe('log driver config', () => {
  it('takes the agent default driver, its options under the container --log-opt, as dockerd', () => {
    const def = { name: 'json-file', options: { 'max-size': '5m', 'max-file': '2' } };
    expect(resolveLogConfig({ image: 'x' }, def)).toEqual({
      logDriver: 'json-file',
      logOpts: { 'max-size': '5m', 'max-file': '2' },
    });
    expect(resolveLogConfig({ image: 'x', logOpts: { 'max-size': '1m' } }, def)).toEqual({
      logDriver: 'json-file',
      logOpts: { 'max-size': '1m', 'max-file': '2' },
    });
    // Another driver does not inherit the default's options.
    expect(resolveLogConfig({ image: 'x', logDriver: 'local' }, def)).toEqual({
      logDriver: 'local',
      logOpts: undefined,
    });
    expect(resolveLogConfig({ image: 'x' })).toEqual({
      logDriver: 'json-file',
      logOpts: undefined,
    });
  });

  it("uses Docker's file defaults: local 20m × 5 compressed, json-file capped at 10m × 3", () => {
    expect(fileLimits('local')).toEqual({
      maxSizeBytes: 20 * 1024 * 1024,
      maxFiles: 5,
      compress: true,
    });
    expect(fileLimits('json-file')).toEqual({
      maxSizeBytes: 10 * 1024 * 1024,
      maxFiles: 3,
      compress: false,
    });
    expect(fileLimits('json-file', { 'max-size': '-1', compress: 'true' })).toMatchObject({
      maxSizeBytes: 0,
      compress: true,
    });
  });

  it('keeps a read cache for journald and syslog unless disabled, sized by cache-max-size', () => {
    expect(hasReadCache('syslog')).toBe(true);
    expect(hasReadCache('journald', { 'cache-disabled': 'true' })).toBe(false);
    expect(hasReadCache('json-file')).toBe(false);
    expect(spoolLimits('syslog', { 'cache-max-size': '2m' })).toEqual({
      maxSizeBytes: 2 * 1024 * 1024,
      maxFiles: 2,
    });
    expect(spoolLimits('json-file')).toEqual({ maxSizeBytes: 1024 * 1024, maxFiles: 2 });
  });
});
