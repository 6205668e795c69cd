// The distribution-API client: resolves references to platform manifests, streams verified blobs,
// pushes, searches and checks logins. Requests, auth and retries are requester.ts's job; pushing
// lives in push.ts. Credentials come from the caller per registry: the agent stores none.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Logger } from '../../../shared/log/index.js';
import { familiarName, manifestReference } from '../reference/index.js';
import { Authorizer } from './auth.js';
import { verifiedBlobStream } from './blob-reader.js';
import { toDescriptor } from './descriptor.js';
import { responseError, type RequestContext } from './errors.js';
import { detectManifest, manifestAccept } from './media-types.js';
import { availablePlatforms, formatPlatform, hostPlatform, selectPlatform } from './platform.js';
import { pushBlob, pushManifest } from './push.js';
import { Requester } from './requester.js';
import { defaultRetryPolicy, type RetryPolicy } from './retry.js';
import { discard, readBody, HttpTransport } from './transport.js';
import type {
  BlobProgress,
  BlobSource,
  Credentials,
  Descriptor,
  ImageReference,
  Platform,
  RegistryClient,
  ResolvedImage,
} from './types.js';

/** Manifests, indexes and configs larger than this are refused (a registry can't make us buffer GBs). */
export const maxManifestBytes = 4 * 1024 * 1024;
const maxIndexDepth = 2;

export interface HttpRegistryClientDeps {
  log: Logger;
  /** Registries (host[:port]) that may use plain HTTP or unverified TLS; loopback always may. */
  insecureRegistries: string[];
  /** Credentials for a registry domain, supplied per request by the caller (the CLI). */
  credentials: (domain: string) => Credentials | undefined;
  /** @default 'flotilla/0.1' */
  userAgent?: string;
  /** Backoff for transient failures. @default defaultRetryPolicy */
  retryPolicy?: RetryPolicy;
  /** A silent socket fails (and a blob download resumes) after this long. @default 60000 */
  idleTimeoutMs?: number;
  /** Clock for token lifetimes (tests). @default Date.now */
  nowMs?: () => number;
}

interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  kind: 'index' | 'manifest';
  body: Record<string, unknown>;
}

function pullScopes(ref: ImageReference): string[] {
  return [`repository:${ref.path}:pull`];
}

function digestOf(bytes: Buffer, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

export class HttpRegistryClient implements RegistryClient {
  private readonly log: Logger;
  private readonly transport: HttpTransport;
  private readonly requester: Requester;
  private readonly auth: Authorizer;
  private readonly policy: RetryPolicy;
  private readonly userAgent: string;

  constructor(private readonly deps: HttpRegistryClientDeps) {
    this.log = deps.log.child({ component: 'registry' });
    this.policy = deps.retryPolicy ?? defaultRetryPolicy;
    this.userAgent = deps.userAgent ?? 'flotilla/0.1';
    this.transport = new HttpTransport(deps.idleTimeoutMs);
    this.requester = new Requester({
      transport: this.transport,
      log: this.log,
      insecureRegistries: deps.insecureRegistries,
      policy: this.policy,
      userAgent: this.userAgent,
    });
    this.auth = this.authorizer(deps.credentials);
  }

  private authorizer(credentials: (domain: string) => Credentials | undefined): Authorizer {
    return new Authorizer({
      transport: this.transport,
      log: this.log,
      credentials,
      isInsecure: (d) => this.requester.isInsecure(d),
      userAgent: this.userAgent,
      nowMs: this.deps.nowMs,
    });
  }

  /** Closes pooled connections. The client must not be used afterwards. */
  close(): void {
    this.transport.close();
  }

  private ctx(ref: ImageReference, operation: string, digest?: string): RequestContext {
    return { ref: familiarName(ref), registry: ref.domain, operation, digest };
  }

  async resolve(
    ref: ImageReference,
    opts: { platform?: Platform; signal?: AbortSignal } = {},
  ): Promise<ResolvedImage> {
    const want = opts.platform ?? hostPlatform();
    let fetched = await this.fetchManifest(
      ref,
      manifestReference(ref),
      ref.digest,
      undefined,
      opts.signal,
    );
    let index: ResolvedImage['index'];
    for (let depth = 0; fetched.kind === 'index'; depth++) {
      const ctx = this.ctx(ref, 'pull manifest');
      if (depth >= maxIndexDepth)
        throw new FlotillaError('MANIFEST_INVALID', {
          ...ctx,
          reason: 'indexes nested too deeply',
        });
      const entries = Array.isArray(fetched.body.manifests) ? fetched.body.manifests : [];
      const manifests = entries.map((m, i) => toDescriptor(m, `manifests[${i}]`, ctx));
      const chosen = selectPlatform(manifests, want);
      if (!chosen)
        throw new FlotillaError('NO_MATCHING_PLATFORM', {
          ref: ctx.ref,
          platform: formatPlatform(want),
          available: availablePlatforms(manifests).join(', ') || 'none',
        });
      index ??= { digest: fetched.digest, mediaType: fetched.mediaType, bytes: fetched.bytes };
      fetched = await this.fetchManifest(
        ref,
        chosen.digest,
        chosen.digest,
        chosen.size,
        opts.signal,
      );
    }
    const ctx = this.ctx(ref, 'pull manifest');
    const layers = Array.isArray(fetched.body.layers) ? fetched.body.layers : undefined;
    if (!layers)
      throw new FlotillaError('MANIFEST_INVALID', { ...ctx, reason: 'layers is missing' });
    const resolved: ResolvedImage = {
      manifestDigest: fetched.digest,
      manifestMediaType: fetched.mediaType,
      manifestBytes: fetched.bytes,
      config: toDescriptor(fetched.body.config, 'config', ctx),
      layers: layers.map((l, i) => toDescriptor(l, `layers[${i}]`, ctx)),
    };
    if (index) resolved.index = index;
    return resolved;
  }

  /**
   * HEAD for a manifest: its digest, media type and size without counting as a pull on Docker Hub.
   * Sends the same Accept as GET, so the digest is the one a GET would produce.
   */
  async headManifest(
    ref: ImageReference,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ digest?: string; mediaType?: string; sizeBytes?: number }> {
    const ctx = this.ctx(ref, 'pull manifest');
    const res = await this.requester.call(
      ref.domain,
      {
        method: 'HEAD',
        target: `/v2/${ref.path}/manifests/${manifestReference(ref)}`,
        headers: { accept: manifestAccept },
        scopes: pullScopes(ref),
        ctx,
        signal: opts.signal,
      },
      this.auth,
    );
    if (res.status !== 200) throw await responseError(res, ctx);
    discard(res);
    const digest = res.headers['docker-content-digest'];
    const size = Number(res.headers['content-length']);
    return {
      digest: typeof digest === 'string' ? digest : undefined,
      mediaType: res.headers['content-type']?.split(';')[0],
      sizeBytes: Number.isFinite(size) ? size : undefined,
    };
  }

  private async fetchManifest(
    ref: ImageReference,
    reference: string,
    expectedDigest: string | undefined,
    expectedSize: number | undefined,
    signal?: AbortSignal,
  ): Promise<FetchedManifest> {
    const ctx = this.ctx(ref, 'pull manifest');
    const res = await this.requester.call(
      ref.domain,
      {
        method: 'GET',
        target: `/v2/${ref.path}/manifests/${reference}`,
        headers: { accept: manifestAccept },
        scopes: pullScopes(ref),
        ctx,
        signal,
      },
      this.auth,
    );
    if (res.status !== 200) throw await responseError(res, ctx);
    const bytes = await readBody(
      res,
      maxManifestBytes,
      () =>
        new FlotillaError('MANIFEST_TOO_LARGE', {
          ref: ctx.ref,
          what: 'the manifest',
          limitBytes: maxManifestBytes,
        }),
    );
    // Verify the exact bytes; never re-serialise.
    const algorithm = expectedDigest?.split(':')[0] ?? 'sha256';
    const digest = digestOf(bytes, algorithm);
    if (expectedDigest && digest !== expectedDigest)
      throw new FlotillaError('MANIFEST_DIGEST_MISMATCH', {
        ref: ctx.ref,
        expected: expectedDigest,
        actual: digest,
      });
    const header = res.headers['docker-content-digest'];
    if (typeof header === 'string' && header.includes(':')) {
      const alg = header.split(':')[0]!;
      const ours =
        alg === algorithm ? digest : /^sha(256|384|512)$/.test(alg) ? digestOf(bytes, alg) : header;
      if (ours !== header)
        throw new FlotillaError('MANIFEST_DIGEST_MISMATCH', {
          ref: ctx.ref,
          expected: header,
          actual: ours,
        });
    }
    if (expectedSize !== undefined && bytes.length !== expectedSize)
      throw new FlotillaError('MANIFEST_INVALID', {
        ...ctx,
        reason: `size ${bytes.length} differs from the index entry's ${expectedSize}`,
      });
    const detected = detectManifest(res.headers['content-type'], bytes, ctx);
    return { digest, bytes, ...detected };
  }

  async fetchSmallBlob(
    ref: ImageReference,
    desc: Descriptor,
    opts: { signal?: AbortSignal } = {},
  ): Promise<Buffer> {
    if (desc.size > maxManifestBytes)
      throw new FlotillaError('MANIFEST_TOO_LARGE', {
        ref: familiarName(ref),
        what: `blob ${desc.digest}`,
        limitBytes: maxManifestBytes,
      });
    const chunks: Buffer[] = [];
    for await (const chunk of this.openBlob(ref, desc, opts)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  openBlob(
    ref: ImageReference,
    desc: Descriptor,
    opts: { signal?: AbortSignal; onProgress?: (p: BlobProgress) => void } = {},
  ): Readable {
    const ctx = this.ctx(ref, 'pull blob', desc.digest);
    let descriptor: Descriptor;
    try {
      descriptor = toDescriptor(desc, 'descriptor', ctx);
    } catch (err) {
      // Errors reach the consumer the same way as every other failure: on the stream.
      return Readable.from(
        (async function* () {
          yield* [];
          throw err;
        })(),
        { objectMode: false },
      );
    }
    const opener = {
      open: async (offset: number, signal?: AbortSignal) => {
        const headers: Record<string, string> = { 'accept-encoding': 'identity' };
        if (offset > 0) headers.range = `bytes=${offset}-`;
        const res = await this.requester.call(
          ref.domain,
          {
            method: 'GET',
            target: `/v2/${ref.path}/blobs/${descriptor.digest}`,
            headers,
            scopes: pullScopes(ref),
            ctx,
            signal,
            followRedirects: true,
          },
          this.auth,
        );
        if (res.status === 200 || res.status === 206) return res;
        throw await responseError(res, ctx);
      },
    };
    return verifiedBlobStream(opener, descriptor, {
      signal: opts.signal,
      onProgress: opts.onProgress,
      policy: this.policy,
      log: this.log.child({ digest: descriptor.digest }),
      ctx,
    });
  }

  async hasBlob(ref: ImageReference, digest: string): Promise<boolean> {
    return this.blobExists(ref, digest, pullScopes(ref));
  }

  private async blobExists(
    ref: ImageReference,
    digest: string,
    scopes: string[],
  ): Promise<boolean> {
    const ctx = this.ctx(ref, 'check blob', digest);
    const res = await this.requester.call(
      ref.domain,
      {
        method: 'HEAD',
        target: `/v2/${ref.path}/blobs/${digest}`,
        scopes,
        ctx,
        followRedirects: true,
      },
      this.auth,
    );
    discard(res);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await responseError(res, ctx);
  }

  async pushBlob(
    ref: ImageReference,
    blob: BlobSource,
    opts: { mountFrom?: string; onProgress?: (p: BlobProgress) => void } = {},
  ): Promise<'exists' | 'mounted' | 'uploaded'> {
    return pushBlob(
      {
        call: (o) => this.requester.call(ref.domain, o, this.auth),
        exists: (scopes) => this.blobExists(ref, blob.descriptor.digest, scopes),
        log: this.log,
      },
      ref,
      this.ctx(ref, 'push blob', blob.descriptor.digest),
      blob,
      opts,
    );
  }

  async pushManifest(ref: ImageReference, mediaType: string, bytes: Buffer): Promise<string> {
    return pushManifest(
      { call: (o) => this.requester.call(ref.domain, o, this.auth) },
      ref,
      this.ctx(ref, 'push manifest'),
      mediaType,
      bytes,
    );
  }

  async search(domain: string, term: string, opts: { limit?: number } = {}): Promise<string[]> {
    const ctx: RequestContext = { ref: domain, registry: domain, operation: 'search' };
    const limit = opts.limit ?? Infinity;
    const found: string[] = [];
    let target: string | URL = '/v2/_catalog?n=100';
    for (let page = 0; page < 1000 && found.length < limit; page++) {
      const res = await this.requester.call(
        domain,
        { method: 'GET', target, scopes: ['registry:catalog:*'], ctx },
        this.auth,
      );
      if (res.status !== 200) throw await responseError(res, ctx);
      const body = await readBody(
        res,
        maxManifestBytes,
        () =>
          new FlotillaError('MANIFEST_TOO_LARGE', {
            ref: domain,
            what: 'a catalogue page',
            limitBytes: maxManifestBytes,
          }),
      );
      let repositories: unknown;
      try {
        repositories = (JSON.parse(body.toString('utf8')) as { repositories?: unknown })
          .repositories;
      } catch {
        repositories = undefined;
      }
      if (!Array.isArray(repositories))
        throw new FlotillaError('REGISTRY_REQUEST_FAILED', {
          ...ctx,
          detail: 'the catalogue answer has no repositories list',
        });
      for (const name of repositories)
        if (typeof name === 'string' && name.includes(term) && found.length < limit)
          found.push(name);
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(String(res.headers.link ?? ''));
      if (!next) break;
      target = new URL(next[1]!, res.url);
    }
    return found;
  }

  async login(domain: string, creds: Credentials): Promise<void> {
    const ctx: RequestContext = { ref: domain, registry: domain, operation: 'login' };
    // A private authorizer: a failed login must not disturb cached tokens, and vice versa.
    const auth = this.authorizer(() => creds);
    try {
      const res = await this.requester.call(
        domain,
        { method: 'GET', target: '/v2/', scopes: [], ctx },
        auth,
      );
      if (res.status !== 200) throw await responseError(res, ctx);
      discard(res);
    } catch (err) {
      if (
        err instanceof FlotillaError &&
        (err.code === 'REGISTRY_UNAUTHORIZED' || err.code === 'REGISTRY_DENIED')
      )
        throw new FlotillaError(
          'REGISTRY_LOGIN_FAILED',
          { registry: domain, detail: String(err.params.detail ?? err.message) },
          { cause: err },
        );
      throw err;
    }
  }
}
