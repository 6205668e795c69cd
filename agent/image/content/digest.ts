// Digest syntax for the content store. Only sha256 is accepted: a digest becomes a path below the
// store's root, so it is validated before any path is built from it.
import { FlotillaError } from '../../../shared/errors/index.js';

const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isValidDigest(digest: string): boolean {
  return SHA256_DIGEST.test(digest);
}

/** Returns the hex part of a sha256 digest; throws CONTENT_INVALID_DIGEST otherwise. */
export function digestHex(digest: string): string {
  if (typeof digest !== 'string' || !SHA256_DIGEST.test(digest)) {
    throw new FlotillaError('CONTENT_INVALID_DIGEST', { digest: String(digest).slice(0, 100) });
  }
  return digest.slice('sha256:'.length);
}
