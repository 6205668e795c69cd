// Decides the Authorization header for each registry request: anonymous until the registry
// challenges, then Basic or a Bearer token for the request's scopes. Tokens are cached per
// (realm, service, sorted scopes) and refreshed shortly before they expire.
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Logger } from '../../../shared/log/index.js';
import type { AuthChallenge } from '../../../shared/registry/index.js';
import { errorFor, type RequestContext } from './errors.js';
import { readBody, readSmallBody, type HttpResponse, type HttpTransport } from './transport.js';
import type { Credentials } from './types.js';

export interface AuthorizerDeps {
  transport: HttpTransport;
  log: Logger;
  credentials: (domain: string) => Credentials | undefined;
  /** Whether credentials may be sent to a plain-HTTP token realm for this registry. */
  isInsecure: (domain: string) => boolean;
  userAgent: string;
  nowMs?: () => number;
}

export interface Authorization {
  header?: string;
  /** True when the header was obtained just now: a 401 despite it is final. */
  fresh: boolean;
}

interface CachedToken {
  token: string;
  expiresAtMs: number;
  refreshAtMs: number;
}

/** Tokens this close to expiry are refreshed before use. */
const refreshMarginMs = 10_000;
const tokenResponseLimitBytes = 1024 * 1024;

export class Authorizer {
  private readonly challenges = new Map<string, AuthChallenge>();
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly deps: AuthorizerDeps) {}

  private now(): number {
    return this.deps.nowMs?.() ?? Date.now();
  }

  /** True once the registry has challenged us (so requests carry credentials up front). */
  knows(domain: string): boolean {
    return this.challenges.has(domain);
  }

  /**
   * Records the challenges of a 401. Prefers Bearer, then Basic. Returns false when none is usable,
   * so the caller reports the 401 instead of retrying.
   */
  setChallenges(domain: string, list: AuthChallenge[], ctx: RequestContext): boolean {
    const bearer = list.find((c) => c.scheme === 'bearer' && c.params.realm);
    const basic = list.find((c) => c.scheme === 'basic');
    const chosen = bearer ?? basic;
    if (!chosen) return false;
    if (chosen.scheme === 'basic' && !this.deps.credentials(domain)) {
      throw new FlotillaError('REGISTRY_UNAUTHORIZED', {
        ref: ctx.ref,
        registry: ctx.registry,
        detail: 'the registry requires a username and password',
      });
    }
    this.challenges.set(domain, chosen);
    return true;
  }

  /** Extra scopes a bearer challenge asks for (insufficient_scope answers name them). */
  static challengeScopes(list: AuthChallenge[]): string[] {
    const bearer = list.find((c) => c.scheme === 'bearer');
    return bearer?.params.scope ? bearer.params.scope.split(' ').filter(Boolean) : [];
  }

  /** Forgets cached tokens of a registry, so the next request fetches a fresh one. */
  invalidate(domain: string, scopes: string[]): void {
    const challenge = this.challenges.get(domain);
    if (challenge) this.tokens.delete(this.tokenKey(challenge, scopes));
  }

  async authorization(
    domain: string,
    scopes: string[],
    ctx: RequestContext,
    signal?: AbortSignal,
  ): Promise<Authorization> {
    const challenge = this.challenges.get(domain);
    if (!challenge) return { fresh: false };
    const creds = this.deps.credentials(domain);
    if (challenge.scheme === 'basic') {
      if (!creds) return { fresh: false };
      const encoded = Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
      // Basic credentials never change between attempts: a 401 with them is final.
      return { header: `Basic ${encoded}`, fresh: true };
    }
    const key = this.tokenKey(challenge, scopes);
    const cached = this.tokens.get(key);
    if (cached && this.now() < cached.refreshAtMs)
      return { header: `Bearer ${cached.token}`, fresh: false };
    const token = await this.fetchToken(domain, challenge, scopes, creds, ctx, signal);
    this.tokens.set(key, token);
    return { header: `Bearer ${token.token}`, fresh: true };
  }

  private tokenKey(challenge: AuthChallenge, scopes: string[]): string {
    return JSON.stringify([
      challenge.params.realm,
      challenge.params.service ?? '',
      [...new Set(scopes)].sort(),
    ]);
  }

  private async fetchToken(
    domain: string,
    challenge: AuthChallenge,
    scopes: string[],
    creds: Credentials | undefined,
    ctx: RequestContext,
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    let url: URL;
    try {
      url = new URL(challenge.params.realm!);
    } catch {
      throw new FlotillaError('REGISTRY_REQUEST_FAILED', {
        ...ctx,
        detail: `the token realm "${challenge.params.realm}" is not a URL`,
      });
    }
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    for (const scope of [...new Set(scopes)].sort()) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = {
      'user-agent': this.deps.userAgent,
      accept: 'application/json',
    };
    // Credentials go to a plain-HTTP realm only for registries the operator marked insecure.
    const sendCreds = creds && (url.protocol === 'https:' || this.deps.isInsecure(domain));
    if (sendCreds)
      headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    const log = this.deps.log.child({ realm: url.origin + url.pathname, scopes });
    log.debug('requesting registry token');

    let res: HttpResponse;
    try {
      res = await this.deps.transport.send({ method: 'GET', url, headers, signal });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new FlotillaError(
        'REGISTRY_UNREACHABLE',
        { registry: url.host, detail: `token service: ${(err as Error).message}` },
        { cause: err },
      );
    }
    if (res.status !== 200) {
      const body = await readSmallBody(res);
      if (res.status === 401 || res.status === 403)
        throw new FlotillaError('REGISTRY_UNAUTHORIZED', {
          ref: ctx.ref,
          registry: ctx.registry,
          detail: creds
            ? `the token service rejected the credentials for ${domain} (HTTP ${res.status})`
            : `the token service refused an anonymous token (HTTP ${res.status})`,
        });
      throw errorFor(res, body, ctx);
    }
    const body = await readBody(
      res,
      tokenResponseLimitBytes,
      () =>
        new FlotillaError('REGISTRY_REQUEST_FAILED', {
          ...ctx,
          detail: 'token response too large',
        }),
    );
    let parsed: { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = {};
    }
    const token = parsed.token || parsed.access_token;
    if (!token)
      throw new FlotillaError('REGISTRY_REQUEST_FAILED', {
        ...ctx,
        detail: 'the token service answered without a token',
      });
    const lifetimeMs =
      (typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 60) *
      1000;
    const issued = parsed.issued_at ? Date.parse(parsed.issued_at) : NaN;
    // A server clock ahead of ours must not make the token look valid for longer than its lifetime.
    const issuedMs = Number.isNaN(issued) ? this.now() : Math.min(issued, this.now());
    const expiresAtMs = issuedMs + lifetimeMs;
    const refreshAtMs = expiresAtMs - Math.min(refreshMarginMs, lifetimeMs / 2);
    return { token, expiresAtMs, refreshAtMs };
  }
}
