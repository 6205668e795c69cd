// Limits of the manager's HTTPS API against slow or greedy clients: how long a request may take to
// arrive (slowloris), how many connections it holds at once. The /ca and /join rate limit is
// rate-limit.ts; these values come from ManagerSettings (FLOTILLA_API_* variables).
import type { Server } from 'node:net';
import { FlotillaError } from '../../shared/errors/index.js';

export interface ApiLimits {
  /**
   * A request's headers and body must have arrived within this long, else the connection is
   * answered 408 and closed (also the TLS handshake's limit). Node checks every
   * `checkIntervalMs`, so a request is cut at most that much later.
   * @default 30000
   */
  requestTimeoutMs: number;
  /** Connections open at once; further ones are closed as they are accepted. @default 1024 */
  maxConnections: number;
  /** GET /ca and POST /join calls one client address may make in a burst. @default 20 */
  joinBurst: number;
  /** The burst refills at this many calls per minute; 0 turns the limit off. @default 60 */
  joinRatePerMinute: number;
}

export const defaultApiLimits: ApiLimits = {
  requestTimeoutMs: 30_000,
  maxConnections: 1024,
  joinBurst: 20,
  joinRatePerMinute: 60,
};

/**
 * Idle keep-alive connections are closed after the request timeout, but never sooner than this:
 * node's clients drop idle sockets after 5 s, and a server that closes at the same moment makes
 * a client reuse a socket being closed ("socket hang up").
 */
const minKeepAliveTimeoutMs = 10_000;

/** The env variable that sets each limit (config.ts: FLOTILLA_ + the setting's name). */
const envNames: Record<keyof ApiLimits, string> = {
  requestTimeoutMs: 'FLOTILLA_API_REQUEST_TIMEOUT_MS',
  maxConnections: 'FLOTILLA_API_MAX_CONNECTIONS',
  joinBurst: 'FLOTILLA_API_JOIN_BURST',
  joinRatePerMinute: 'FLOTILLA_API_JOIN_RATE_PER_MINUTE',
};

/** The limits with defaults filled in; INVALID_FLAG_VALUE names the variable of a bad one. */
export function apiLimits(given: Partial<ApiLimits> = {}): ApiLimits {
  const l = { ...defaultApiLimits };
  for (const key of Object.keys(defaultApiLimits) as (keyof ApiLimits)[]) {
    const v = given[key];
    if (v === undefined) continue;
    const least = key === 'joinRatePerMinute' ? 0 : 1;
    if (!Number.isInteger(v) || v < least)
      throw new FlotillaError('INVALID_FLAG_VALUE', {
        flag: envNames[key],
        value: String(v),
        reason: `expected a whole number, at least ${least}`,
      });
    l[key] = v;
  }
  return l;
}

/** How often node's http server looks for timed-out requests (it defaults to every 30 s). */
export function checkIntervalMs(l: ApiLimits): number {
  return Math.max(100, Math.min(1000, Math.floor(l.requestTimeoutMs / 4)));
}

/** Fastify options that bound how long a request may take to arrive. */
export function timeoutOptions(l: ApiLimits) {
  return {
    // Fastify sets server.requestTimeout from this after creating the server.
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: Math.max(minKeepAliveTimeoutMs, l.requestTimeoutMs),
  };
}

/** https.createServer options: node's own header/request timeouts and the TLS handshake's. */
export function tlsServerTimeouts(l: ApiLimits) {
  return {
    headersTimeout: l.requestTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    connectionsCheckingInterval: checkIntervalMs(l),
    handshakeTimeout: l.requestTimeoutMs,
  };
}

/** Caps open connections: node closes a connection past the cap as soon as it is accepted. */
export function capConnections(server: Server, l: ApiLimits): void {
  server.maxConnections = l.maxConnections;
}
