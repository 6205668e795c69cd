// Renders references: canonical (docker.io/library/ubuntu:latest), familiar (ubuntu:latest, as
// `docker images` shows them) and the repository name (domain/path) used for registry scopes.
import type { ImageReference } from './types.js';
import { defaultDomain, officialRepoPrefix } from './grammar.js';

function suffix(ref: ImageReference): string {
  return (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** domain/path, e.g. docker.io/library/ubuntu or 127.0.0.1:5000/app. */
export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The fully qualified form: docker.io/library/ubuntu:latest (tag and digest when both are set). */
export function formatReference(ref: ImageReference): string {
  return repositoryName(ref) + suffix(ref);
}

/** Docker's short form (FamiliarString): ubuntu:latest, bitnami/redis:7, 127.0.0.1:5000/app:v1. */
export function familiarName(ref: ImageReference): string {
  let name = repositoryName(ref);
  if (ref.domain === defaultDomain) {
    name = ref.path;
    const rest = name.slice(officialRepoPrefix.length);
    if (name.startsWith(officialRepoPrefix) && !rest.includes('/')) name = rest;
  }
  return name + suffix(ref);
}

/** What to ask the registry for: the digest when known (it wins), else the tag. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}
