// Images as the manager sees them: a registry's answer to "which digest is this tag", used to pin
// a service's image so that every node runs the same bytes.
export { HttpDigestResolver } from './digest-resolver.js';
export type { DigestResolver, HttpDigestResolverOptions } from './digest-resolver.js';
export { pinImage, registryOf, resolveImageModes, withoutDigest } from './pin-image.js';
export type { PinOptions, ResolveImageMode, WarnLog } from './pin-image.js';
