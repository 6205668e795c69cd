// Pushing: blobs skip what the repository has (HEAD), try a cross-repository mount, and otherwise
// upload monolithically to the session's Location; manifests are PUT with their own media type.
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Logger } from '../../../shared/log/index.js';
import { isValidDigest } from '../reference/index.js';
import { responseError, type RequestContext } from './errors.js';
import type { CallOptions } from './requester.js';
import { discard, type HttpResponse } from './transport.js';
import type { BlobProgress, BlobSource, ImageReference } from './types.js';

type Call = (opts: CallOptions) => Promise<HttpResponse>;

/** Appends digest=… to an upload Location that may be relative or already carry a query. */
export function uploadUrl(location: string, base: URL, digest: string): URL {
  const url = new URL(location, base);
  const param = `digest=${encodeURIComponent(digest)}`;
  // Appending by hand keeps the existing query (_state=…) byte for byte.
  url.search = url.search && url.search !== '?' ? `${url.search}&${param}` : `?${param}`;
  return url;
}

function locationOf(res: HttpResponse, ctx: RequestContext): string {
  const location = res.headers.location;
  if (!location)
    throw new FlotillaError('REGISTRY_REQUEST_FAILED', {
      ...ctx,
      detail: `HTTP ${res.status} without a Location header`,
    });
  return location;
}

export async function pushBlob(
  deps: { call: Call; exists: (scopes: string[]) => Promise<boolean>; log: Logger },
  ref: ImageReference,
  ctx: RequestContext,
  blob: BlobSource,
  opts: { mountFrom?: string; onProgress?: (p: BlobProgress) => void },
): Promise<'exists' | 'mounted' | 'uploaded'> {
  const { digest, size } = blob.descriptor;
  if (!isValidDigest(digest))
    throw new FlotillaError('INVALID_ARGUMENT', { detail: `invalid blob digest "${digest}"` });
  const pushScopes = [`repository:${ref.path}:pull,push`];
  if (await deps.exists(pushScopes)) return 'exists';

  let location: string | undefined;
  let base: URL | undefined;
  // mountFrom is a repository path in the same registry; a "domain/path" form is accepted when the
  // domain is this registry's (mounts cannot cross registries).
  const from = opts.mountFrom?.startsWith(`${ref.domain}/`)
    ? opts.mountFrom.slice(ref.domain.length + 1)
    : opts.mountFrom;
  if (from && from !== ref.path) {
    const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const res = await deps.call({
      method: 'POST',
      target: `/v2/${ref.path}/blobs/uploads/?${query}`,
      scopes: [...pushScopes, `repository:${from}:pull`],
      ctx,
    });
    if (res.status === 201) {
      discard(res);
      return 'mounted';
    }
    if (res.status !== 202) throw await responseError(res, ctx);
    // 202: the registry could not mount and opened an ordinary upload session instead.
    discard(res);
    location = locationOf(res, ctx);
    base = res.url;
  }
  if (!location) {
    const res = await deps.call({
      method: 'POST',
      target: `/v2/${ref.path}/blobs/uploads/`,
      scopes: pushScopes,
      ctx,
    });
    if (res.status !== 202) throw await responseError(res, ctx);
    discard(res);
    location = locationOf(res, ctx);
    base = res.url;
  }

  const open = (): Readable => {
    let done = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        done += chunk.length;
        opts.onProgress?.({ digest, doneBytes: done, totalBytes: size });
        cb(null, chunk);
      },
    });
    const source = blob.open();
    source.once('error', (err) => counter.destroy(err));
    return source.pipe(counter);
  };
  const res = await deps.call({
    method: 'PUT',
    target: uploadUrl(location, base!, digest),
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: open,
    scopes: pushScopes,
    ctx,
  });
  if (res.status !== 201 && res.status !== 204) throw await responseError(res, ctx);
  discard(res);
  return 'uploaded';
}

export async function pushManifest(
  deps: { call: Call },
  ref: ImageReference,
  ctx: RequestContext,
  mediaType: string,
  bytes: Buffer,
): Promise<string> {
  const algorithm = ref.digest?.split(':')[0] ?? 'sha256';
  const digest = `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
  if (ref.digest && ref.digest !== digest)
    throw new FlotillaError('MANIFEST_DIGEST_MISMATCH', {
      ref: ctx.ref,
      expected: ref.digest,
      actual: digest,
    });
  const target = ref.tag ?? ref.digest ?? digest;
  const res = await deps.call({
    method: 'PUT',
    target: `/v2/${ref.path}/manifests/${target}`,
    headers: { 'content-type': mediaType },
    body: () => bytes,
    scopes: [`repository:${ref.path}:pull,push`],
    ctx,
  });
  if (res.status !== 201 && res.status !== 200 && res.status !== 204)
    throw await responseError(res, ctx);
  discard(res);
  const echoed = res.headers['docker-content-digest'];
  if (typeof echoed === 'string' && echoed.startsWith(`${algorithm}:`) && echoed !== digest)
    throw new FlotillaError('MANIFEST_DIGEST_MISMATCH', {
      ref: ctx.ref,
      expected: digest,
      actual: echoed,
    });
  return digest;
}
