// A token bucket per client address for the unauthenticated routes (GET /ca, POST /join): a
// stranger may not make the manager sign CSRs or guess tokens as fast as it can send.
import type { FastifyInstance } from 'fastify';
import { FlotillaError } from '../../shared/errors/index.js';

export interface RateLimitOptions {
  /** Calls a key may make at once. */
  burst: number;
  /** Calls per minute the bucket refills at; 0 means no limit. */
  perMinute: number;
  clock: { now(): number };
  /**
   * Buckets kept at most; past it, full buckets are forgotten first (they hold nothing), then the
   * oldest. Bounds memory when many addresses call. @default 10000
   */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly opts: RateLimitOptions) {}

  /** Takes one token of `key`'s bucket: 0 when allowed, else the seconds until one is there. */
  take(key: string): number {
    const { burst, perMinute } = this.opts;
    if (perMinute === 0) return 0;
    const now = this.opts.clock.now();
    const b = this.refill(this.buckets.get(key) ?? { tokens: burst, atMs: now }, now);
    // Re-inserted so that the Map's order is least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, b);
    this.prune(now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - b.tokens) * 60) / perMinute));
  }

  get size(): number {
    return this.buckets.size;
  }

  private refill(b: Bucket, now: number): Bucket {
    const gained = (Math.max(0, now - b.atMs) * this.opts.perMinute) / 60_000;
    return { tokens: Math.min(this.opts.burst, b.tokens + gained), atMs: now };
  }

  private prune(now: number): void {
    const max = this.opts.maxKeys ?? 10_000;
    if (this.buckets.size <= max) return;
    for (const [key, b] of this.buckets)
      if (this.refill(b, now).tokens >= this.opts.burst) this.buckets.delete(key);
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= max) break;
      this.buckets.delete(key);
    }
  }
}

/** Answers 429 with Retry-After (seconds) and RATE_LIMITED once an address's bucket is empty. */
export function installRateLimit(
  app: FastifyInstance,
  routes: ReadonlySet<string>,
  buckets: TokenBuckets,
): void {
  app.addHook('onRequest', async (req, reply) => {
    if (!routes.has(req.url.split('?')[0])) return;
    const retryAfterS = buckets.take(req.ip);
    if (retryAfterS === 0) return;
    const err = new FlotillaError('RATE_LIMITED', { address: req.ip, retryAfterS });
    return reply.status(429).header('retry-after', String(retryAfterS)).send(err.toJSON());
  });
}
