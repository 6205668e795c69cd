// Asks a registry which manifest digest a tag points at (a HEAD of the manifest, Docker's
// "resolve image"), with the service's credentials when it has some: basic auth, or a bearer token
// from the realm the registry names. Plain HTTP only for loopback and the --insecure-registry list,
// as the agent's registry client does; every other registry is HTTPS with verified certificates.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Credentials } from '../../shared/engine/index.js';
import { FlotillaError } from '../../shared/errors/index.js';
import { splitHostPort } from '../../shared/net/host-port.js';
import { parseReference, type ImageReference } from '../../shared/reference/index.js';
import { parseChallenges } from '../../shared/registry/index.js';

const manifestTypes = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** Resolves an image reference to the manifest digest its tag names now. */
export interface DigestResolver {
  digestOf(image: string, credentials?: Credentials): Promise<string>;
}

export interface HttpDigestResolverOptions {
  /** host[:port] of registries spoken to over plain HTTP (the manager's --insecure-registry). */
  insecureRegistries: readonly string[];
  /** @default 10000 */
  timeoutMs?: number;
}

export class HttpDigestResolver implements DigestResolver {
  constructor(private readonly opts: HttpDigestResolverOptions) {}

  async digestOf(image: string, credentials?: Credentials): Promise<string> {
    const ref = parseReference(image);
    if (ref.digest) return ref.digest;
    const signal = AbortSignal.timeout(this.opts.timeoutMs ?? 10_000);
    const host = ref.domain === 'docker.io' ? 'registry-1.docker.io' : ref.domain;
    const scheme = this.plainHttp(ref.domain) ? 'http' : 'https';
    const url = `${scheme}://${host}/v2/${ref.path}/manifests/${ref.tag ?? 'latest'}`;
    let authorization: string | undefined;
    const ask = (method: 'HEAD' | 'GET') =>
      fetch(url, {
        method,
        headers: { accept: manifestTypes, ...(authorization ? { authorization } : {}) },
        signal,
      });
    let res = await ask('HEAD');
    if (res.status === 401) {
      authorization = await authorize(res, ref, credentials, signal);
      res = await ask('HEAD');
      if (res.status === 401 || res.status === 403) throw unauthorized(image, ref, credentials);
    }
    if (res.status === 404) throw failed(image, 'manifest unknown');
    if (!res.ok) throw failed(image, `the registry answered ${res.status}`);
    const digest = res.headers.get('docker-content-digest');
    if (digest && /^sha256:[a-f0-9]{64}$/.test(digest)) return digest;
    // No digest header: fetch the manifest and hash it (what the registry would have said).
    const got = await ask('GET');
    if (!got.ok) throw failed(image, `the registry answered ${got.status}`);
    const body = await got.arrayBuffer();
    return `sha256:${createHash('sha256').update(Buffer.from(body)).digest('hex')}`;
  }

  private plainHttp(domain: string): boolean {
    const [host] = splitHostPort(domain, { defaultPort: 0 });
    const h = host.toLowerCase();
    if (h === 'localhost' || (isIP(h) === 4 && h.startsWith('127.')) || h === '::1') return true;
    return this.opts.insecureRegistries.some((entry) => {
      const e = entry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
      return e === domain || e === host;
    });
  }
}

/** The Authorization header a 401's challenge asks for: basic, or a bearer token from its realm. */
async function authorize(
  res: Response,
  ref: ImageReference,
  credentials: Credentials | undefined,
  signal: AbortSignal,
): Promise<string> {
  const image = `${ref.domain}/${ref.path}`;
  const challenges = parseChallenges(res.headers.get('www-authenticate') ?? undefined);
  const basic = credentials
    ? 'Basic ' + Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')
    : undefined;
  const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
  if (bearer) {
    const realm = new URL(bearer.params.realm);
    if (bearer.params.service) realm.searchParams.set('service', bearer.params.service);
    realm.searchParams.set('scope', `repository:${ref.path}:pull`);
    const t = await fetch(realm, { headers: basic ? { authorization: basic } : {}, signal });
    if (!t.ok) throw unauthorized(image, ref, credentials);
    const doc = (await t.json()) as { token?: string; access_token?: string };
    const token = doc.token ?? doc.access_token;
    if (!token) throw failed(image, 'the token server sent no token');
    return `Bearer ${token}`;
  }
  if (!basic) throw unauthorized(image, ref, credentials);
  return basic;
}

function unauthorized(
  image: string,
  ref: ImageReference,
  credentials: Credentials | undefined,
): FlotillaError {
  return new FlotillaError('REGISTRY_UNAUTHORIZED', {
    ref: image,
    registry: ref.domain,
    detail: credentials ? 'the credentials were refused' : 'no credentials were sent',
  });
}

function failed(image: string, reason: string): FlotillaError {
  return new FlotillaError('IMAGE_PULL_FAILED', { ref: image, reason });
}
