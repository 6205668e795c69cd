// Sends one logical registry request: picks http or https, probes /v2/ once per registry,
// authorises (anonymous first, then whatever the registry challenges for), follows redirects
// (dropping Authorization across origins), and retries dropped connections, 5xx and 429 with
// bounded backoff. Callers get the final response and map its status themselves.
import type { Readable } from 'node:stream';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Logger } from '../../../shared/log/index.js';
import { Authorizer } from './auth.js';
import { parseChallenges } from '../../../shared/registry/index.js';
import { apiHost, isListedInsecure, isLoopback } from './endpoint.js';
import { responseError, type RequestContext } from './errors.js';
import {
  backoffDelayMs,
  isAbortError,
  isTransientNetworkError,
  retryAfterMs,
  sleep,
  type RetryPolicy,
} from './retry.js';
import { discard, readSmallBody, type HttpResponse, type HttpTransport } from './transport.js';

export interface CallOptions {
  method: string;
  /** A path under the registry root (/v2/...) or an absolute URL (an upload Location). */
  target: string | URL;
  headers?: Record<string, string>;
  /** A factory, so the body can be sent again after a re-authorisation or a retry. */
  body?: () => Buffer | Readable;
  scopes: string[];
  ctx: RequestContext;
  signal?: AbortSignal;
  /** Follow 3xx redirects (blob downloads). @default false */
  followRedirects?: boolean;
  /** Retry 5xx and 429 answers. @default true */
  retryStatus?: boolean;
  /** Only learn the challenge from a 401 and return it, without authorising (the /v2/ probe). */
  challengeOnly?: boolean;
}

export interface RequesterDeps {
  transport: HttpTransport;
  log: Logger;
  insecureRegistries: string[];
  policy: RetryPolicy;
  userAgent: string;
}

const maxRedirects = 5;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

function isTlsError(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException;
  return (
    e?.code === 'EPROTO' ||
    Boolean(e?.code?.startsWith('ERR_SSL')) ||
    /wrong version number|ssl|tls/i.test(e?.message ?? '')
  );
}

export class Requester {
  private readonly schemes = new Map<string, 'http' | 'https'>();
  // Weak: login() builds a throwaway authorizer per call.
  private readonly probes = new WeakMap<Authorizer, Map<string, Promise<void>>>();

  constructor(private readonly deps: RequesterDeps) {}

  /** Loopback registries and listed insecure ones: plain HTTP allowed, TLS not verified. */
  isInsecure(domain: string): boolean {
    return isLoopback(domain) || isListedInsecure(domain, this.deps.insecureRegistries);
  }

  private scheme(domain: string): 'http' | 'https' {
    const known = this.schemes.get(domain);
    if (known) return known;
    // Loopback registries are plain HTTP; a listed insecure registry gets HTTPS first (without
    // certificate checks) and drops to HTTP on a TLS failure, as Docker does.
    return isLoopback(domain) ? 'http' : 'https';
  }

  baseUrl(domain: string): string {
    return `${this.scheme(domain)}://${apiHost(domain)}`;
  }

  /** GET /v2/ once per registry and authorizer: learns the auth challenge, checks the API. */
  probe(
    domain: string,
    auth: Authorizer,
    ctx: RequestContext,
    signal?: AbortSignal,
  ): Promise<void> {
    let perAuth = this.probes.get(auth);
    if (!perAuth) this.probes.set(auth, (perAuth = new Map()));
    let pending = perAuth.get(domain);
    if (!pending) {
      pending = this.doProbe(domain, auth, ctx, signal);
      perAuth.set(domain, pending);
      // A failed probe is not remembered: the next request tries again.
      pending.catch(() => perAuth!.delete(domain));
    }
    return pending;
  }

  private async doProbe(
    domain: string,
    auth: Authorizer,
    ctx: RequestContext,
    signal?: AbortSignal,
  ): Promise<void> {
    const res = await this.send(
      domain,
      { method: 'GET', target: '/v2/', scopes: [], ctx, signal, challengeOnly: true },
      auth,
    );
    if (res.status === 200 || res.status === 401) return discard(res);
    if (res.status === 404) {
      discard(res);
      throw new FlotillaError('REGISTRY_REQUEST_FAILED', {
        ...ctx,
        detail: `${domain} does not serve the registry v2 API (GET /v2/ answered 404)`,
      });
    }
    throw await responseError(res, ctx);
  }

  /** Probes, then sends. */
  async call(domain: string, opts: CallOptions, auth: Authorizer): Promise<HttpResponse> {
    await this.probe(domain, auth, opts.ctx, opts.signal);
    return this.send(domain, opts, auth);
  }

  private async send(domain: string, opts: CallOptions, auth: Authorizer): Promise<HttpResponse> {
    const log = this.deps.log;
    let scopes = opts.scopes;
    let attempt = 0;
    let reauthorised = false;
    let redirects = 0;
    let method = opts.method;
    let url = this.resolveTarget(domain, opts.target);
    for (;;) {
      const registryOrigin = new URL(this.baseUrl(domain)).origin;
      const sameOrigin = url.origin === registryOrigin;
      const authz = sameOrigin
        ? await auth.authorization(domain, scopes, opts.ctx, opts.signal)
        : { fresh: false };
      const headers: Record<string, string> = {
        'user-agent': this.deps.userAgent,
        ...opts.headers,
      };
      if (authz.header) headers.authorization = authz.header;
      let res: HttpResponse;
      const startedMs = Date.now();
      try {
        res = await this.deps.transport.send({
          method,
          url,
          headers,
          body: method === 'GET' || method === 'HEAD' ? undefined : opts.body?.(),
          signal: opts.signal,
          insecureTls: sameOrigin && this.isInsecure(domain),
        });
      } catch (err) {
        if (isAbortError(err, opts.signal)) throw opts.signal?.reason ?? err;
        if (
          sameOrigin &&
          url.protocol === 'https:' &&
          this.isInsecure(domain) &&
          !this.schemes.has(domain) &&
          isTlsError(err)
        ) {
          log.warn({ registry: domain, err }, 'insecure registry does not speak TLS, using http');
          this.schemes.set(domain, 'http');
          url = new URL(url.href.replace(/^https:/, 'http:'));
          continue;
        }
        const delay = isTransientNetworkError(err)
          ? backoffDelayMs(this.deps.policy, attempt)
          : undefined;
        if (delay === undefined)
          throw new FlotillaError(
            'REGISTRY_UNREACHABLE',
            { registry: domain, detail: (err as Error).message },
            { cause: err },
          );
        log.warn({ registry: domain, attempt, err }, 'registry request failed, will retry');
        attempt++;
        await sleep(delay, opts.signal);
        continue;
      }
      log.debug(
        { method, url: url.href, status: res.status, durationMs: Date.now() - startedMs },
        'registry request',
      );
      if (sameOrigin && !this.schemes.has(domain)) this.schemes.set(domain, this.scheme(domain));
      const warning = res.headers.warning;
      if (warning) log.warn({ registry: domain, warning }, 'registry warning');

      if (res.status === 401 && sameOrigin) {
        const challenges = parseChallenges(res.headers['www-authenticate']);
        if (opts.challengeOnly && !authz.header) {
          if (!auth.setChallenges(domain, challenges, opts.ctx))
            throw await responseError(res, opts.ctx);
          return res;
        }
        if (authz.fresh || reauthorised) {
          const err = await responseError(res, opts.ctx);
          if (authz.header?.startsWith('Bearer '))
            err.message +=
              ' (the registry refused a fresh token: the repository may not exist, or access is denied)';
          throw err;
        }
        discard(res);
        reauthorised = true;
        if (authz.header) auth.invalidate(domain, scopes);
        else if (!auth.setChallenges(domain, challenges, opts.ctx))
          throw await responseError(res, opts.ctx);
        scopes = [...new Set([...scopes, ...Authorizer.challengeScopes(challenges)])];
        continue;
      }
      if (opts.followRedirects && redirectStatuses.has(res.status) && res.headers.location) {
        discard(res);
        if (++redirects > maxRedirects)
          throw new FlotillaError('REGISTRY_REQUEST_FAILED', {
            ...opts.ctx,
            detail: `more than ${maxRedirects} redirects`,
          });
        url = new URL(res.headers.location, url);
        if (res.status === 303) method = 'GET';
        continue;
      }
      if ((res.status >= 500 || res.status === 429) && opts.retryStatus !== false) {
        const delay = backoffDelayMs(
          this.deps.policy,
          attempt,
          retryAfterMs(res.headers['retry-after']),
        );
        if (delay !== undefined) {
          const body = await readSmallBody(res, 4096);
          log.warn(
            {
              registry: domain,
              status: res.status,
              attempt,
              delayMs: Math.round(delay),
              body: body.toString(),
            },
            'registry answered with a transient error, will retry',
          );
          attempt++;
          await sleep(delay, opts.signal);
          continue;
        }
      }
      return res;
    }
  }

  private resolveTarget(domain: string, target: string | URL): URL {
    if (target instanceof URL) return target;
    return new URL(target, this.baseUrl(domain));
  }
}
