// The parsed form of an image reference. Owned by the first stage of the image pipeline, so every
// later stage (registry, content, names) depends on it and it depends on none of them.

/** A parsed, normalised image reference. */
export interface ImageReference {
  /** Registry host[:port], normalised: docker.io, localhost:5000, 127.0.0.1:41234. */
  domain: string;
  /** Repository path within the registry: library/ubuntu, org/app. */
  path: string;
  tag?: string;
  /** sha256:<64 hex>; wins over the tag for pulling. */
  digest?: string;
}
