import { describe, expect, it } from 'vitest';
import { apiLimits, checkIntervalMs, defaultApiLimits, tlsServerTimeouts } from './limits.js';

describe('apiLimits', () => {
  it('cuts a half-sent request within 30 s by default, and caps connections at 1024', () => {
    expect(defaultApiLimits.requestTimeoutMs).toBe(30_000);
    expect(defaultApiLimits.maxConnections).toBe(1024);
    expect(tlsServerTimeouts(apiLimits())).toMatchObject({
      headersTimeout: 30_000,
      requestTimeout: 30_000,
      handshakeTimeout: 30_000,
    });
    // Node looks for timed-out requests at this period (its own default is 30 s).
    expect(checkIntervalMs(apiLimits())).toBe(1000);
  });

  it('refuses a bad value by the name of its variable', () => {
    expect(() => apiLimits({ maxConnections: Number('lots') })).toThrow(
      /FLOTILLA_API_MAX_CONNECTIONS/,
    );
    expect(() => apiLimits({ requestTimeoutMs: 0 })).toThrow(/FLOTILLA_API_REQUEST_TIMEOUT_MS/);
    expect(apiLimits({ joinRatePerMinute: 0 }).joinRatePerMinute).toBe(0);
  });
});
