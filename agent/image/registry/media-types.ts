// Manifest media types and how to tell them apart: Content-Type first, then the body, as the
// distribution spec and containerd do. Schema1 and unknown types fail clearly.
import { FlotillaError } from '../../../shared/errors/index.js';

export const mediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

/** Sent on every manifest GET and HEAD: the negotiated type decides the bytes, and so the digest. */
export const manifestAccept = [
  mediaTypes.ociIndex,
  mediaTypes.dockerManifestList,
  mediaTypes.ociManifest,
  mediaTypes.dockerManifest,
].join(', ');

const schema1Types = new Set([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);
const indexTypes = new Set<string>([mediaTypes.ociIndex, mediaTypes.dockerManifestList]);
const manifestTypes = new Set<string>([mediaTypes.ociManifest, mediaTypes.dockerManifest]);

export function isIndexType(mediaType: string): boolean {
  return indexTypes.has(mediaType);
}
export function isManifestType(mediaType: string): boolean {
  return manifestTypes.has(mediaType);
}

export type ManifestKind = 'index' | 'manifest';

/**
 * Determines the media type of a manifest response. Throws UNSUPPORTED_MANIFEST for schema1 and
 * types we cannot pull, MANIFEST_INVALID when the body is not JSON or disagrees with the header.
 */
export function detectManifest(
  contentType: string | undefined,
  bytes: Buffer,
  ctx: { ref: string; registry: string },
): { mediaType: string; kind: ManifestKind; body: Record<string, unknown> } {
  const header = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (schema1Types.has(header))
    throw new FlotillaError('UNSUPPORTED_MANIFEST', {
      ref: ctx.ref,
      mediaType: `${header} (schema1)`,
    });
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error();
    body = parsed as Record<string, unknown>;
  } catch {
    throw new FlotillaError('MANIFEST_INVALID', {
      ...ctx,
      reason: 'the body is not a JSON object',
    });
  }
  if (body.schemaVersion === 1)
    throw new FlotillaError('UNSUPPORTED_MANIFEST', {
      ref: ctx.ref,
      mediaType: 'application/vnd.docker.distribution.manifest.v1+json (schema1)',
    });
  const declared = typeof body.mediaType === 'string' ? body.mediaType : undefined;
  const known = (t: string) => indexTypes.has(t) || manifestTypes.has(t);
  let mediaType: string | undefined;
  if (known(header)) {
    if (declared && declared !== header)
      throw new FlotillaError('MANIFEST_INVALID', {
        ...ctx,
        reason: `Content-Type ${header} disagrees with the body's mediaType ${declared}`,
      });
    mediaType = header;
  } else if (declared) {
    mediaType = declared;
  } else if (Array.isArray(body.manifests)) {
    mediaType = mediaTypes.ociIndex;
  } else if (body.config && typeof body.config === 'object') {
    mediaType = mediaTypes.ociManifest;
  }
  if (!mediaType || !known(mediaType))
    throw new FlotillaError('UNSUPPORTED_MANIFEST', {
      ref: ctx.ref,
      mediaType: mediaType ?? (header || 'unknown'),
    });
  return { mediaType, kind: indexTypes.has(mediaType) ? 'index' : 'manifest', body };
}
