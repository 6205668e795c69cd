// Dashboard logins: one-time login tokens minted for an admin identity (`flotilla dashboard
// --url`), exchanged once for a browser session. Both live in this manager's memory only: a
// restart logs every browser out, and a login URL works only on the manager that minted it.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Identity } from '../ca/index.js';

/** What a browser session acts as: the admin identity that minted its login token. */
export interface DashboardSession {
  id: string;
  identity: Identity;
  /** Sent back by the page in x-flotilla-csrf on every action (double submit, not a cookie). */
  csrf: string;
  expiresAtMs: number;
}

export interface DashboardSessionsOptions {
  clock: { now(): number };
  /** How long a login URL may wait to be opened. @default 5 minutes */
  tokenTtlMs?: number;
  /** A session's absolute lifetime. @default 8 hours */
  sessionTtlMs?: number;
  /** Outstanding tokens and sessions kept; the oldest are dropped past it. @default 1000 */
  maxEntries?: number;
}

export class DashboardSessions {
  /** sha256(token) → who minted it; the token itself is never kept. */
  private readonly tokens = new Map<string, { identity: Identity; expiresAtMs: number }>();
  private readonly sessions = new Map<string, DashboardSession>();

  constructor(private readonly o: DashboardSessionsOptions) {}

  get tokenTtlMs(): number {
    return this.o.tokenTtlMs ?? 5 * 60_000;
  }
  get sessionTtlMs(): number {
    return this.o.sessionTtlMs ?? 8 * 3600_000;
  }

  /** A new one-time login token for IDENTITY. */
  mintToken(identity: Identity): { token: string; expiresAtMs: number } {
    this.prune();
    const token = randomBytes(32).toString('base64url');
    const expiresAtMs = this.o.clock.now() + this.tokenTtlMs;
    this.tokens.set(digest(token), { identity, expiresAtMs });
    return { token, expiresAtMs };
  }

  /** Consumes TOKEN (valid once, before it expires) and opens a session; undefined if refused. */
  exchange(token: string): DashboardSession | undefined {
    const key = digest(token);
    const t = this.tokens.get(key);
    this.tokens.delete(key);
    if (!t || t.expiresAtMs <= this.o.clock.now()) return undefined;
    this.prune();
    const s: DashboardSession = {
      id: randomBytes(32).toString('base64url'),
      identity: t.identity,
      csrf: randomBytes(24).toString('base64url'),
      expiresAtMs: this.o.clock.now() + this.sessionTtlMs,
    };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session of a cookie value, if any. */
  session(id: string | undefined): DashboardSession | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (s.expiresAtMs <= this.o.clock.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }

  /** Constant-time comparison of the CSRF header with the session's. */
  static csrfMatches(s: DashboardSession, header: unknown): boolean {
    if (typeof header !== 'string') return false;
    const a = Buffer.from(header);
    const b = Buffer.from(s.csrf);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Drops expired entries, then the oldest while over the cap (Maps iterate in insertion order). */
  private prune(): void {
    const now = this.o.clock.now();
    const max = this.o.maxEntries ?? 1000;
    for (const [k, t] of this.tokens) if (t.expiresAtMs <= now) this.tokens.delete(k);
    for (const [k, s] of this.sessions) if (s.expiresAtMs <= now) this.sessions.delete(k);
    for (const m of [this.tokens, this.sessions] as Map<string, unknown>[])
      while (m.size >= max) m.delete(m.keys().next().value as string);
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
