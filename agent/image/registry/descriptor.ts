// Validates descriptors taken from manifests before their digests reach URLs or file paths.
import { FlotillaError } from '../../../shared/errors/index.js';
import { isValidDigest } from '../reference/index.js';
import type { Descriptor, Platform } from './types.js';

export function toDescriptor(
  value: unknown,
  where: string,
  ctx: { ref: string; registry: string },
): Descriptor {
  const fail = (reason: string) =>
    new FlotillaError('MANIFEST_INVALID', { ...ctx, reason: `${where}: ${reason}` });
  if (!value || typeof value !== 'object') throw fail('not an object');
  const v = value as Record<string, unknown>;
  if (typeof v.mediaType !== 'string') throw fail('mediaType is missing');
  if (typeof v.digest !== 'string' || !isValidDigest(v.digest))
    throw fail(`invalid digest ${JSON.stringify(v.digest)}`);
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0)
    throw fail(`invalid size ${JSON.stringify(v.size)}`);
  const desc: Descriptor = { mediaType: v.mediaType, digest: v.digest, size: v.size };
  if (Array.isArray(v.urls)) desc.urls = v.urls.filter((u): u is string => typeof u === 'string');
  if (v.annotations && typeof v.annotations === 'object')
    desc.annotations = v.annotations as Record<string, string>;
  if (v.platform && typeof v.platform === 'object') {
    const p = v.platform as Record<string, unknown>;
    if (typeof p.os === 'string' && typeof p.architecture === 'string') {
      const platform: Platform = { os: p.os, architecture: p.architecture };
      if (typeof p.variant === 'string' && p.variant) platform.variant = p.variant;
      desc.platform = platform;
    }
  }
  return desc;
}
