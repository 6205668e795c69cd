// Parses and normalises image references exactly as Docker does (distribution/reference
// ParseNormalizedNamed + TagNameOnly), keeping both tag and digest when both are given.
import { FlotillaError } from '../errors/index.js';
import type { ImageReference } from './types.js';
import {
  defaultDomain,
  defaultTag,
  digestProblem,
  domainRe,
  imageIdRe,
  legacyDefaultDomain,
  nameTotalLengthMax,
  officialRepoPrefix,
  pathComponentRe,
  tagRe,
} from './grammar.js';

function invalid(input: string, reason: string): FlotillaError {
  return new FlotillaError('INVALID_REFERENCE', { input, reason });
}

/**
 * Port of splitDockerDomain: the first component is a registry host only when it looks like one
 * (has '.' or ':', is localhost, or has an uppercase letter); otherwise the image is on Docker Hub.
 */
function splitDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = slash === -1 ? '' : name.slice(0, slash);
  if (
    slash === -1 ||
    (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)
  ) {
    domain = defaultDomain;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(slash + 1);
  }
  if (domain === legacyDefaultDomain) domain = defaultDomain;
  if (domain === defaultDomain && !remainder.includes('/'))
    remainder = officialRepoPrefix + remainder;
  return { domain, remainder };
}

/**
 * Parses `[domain/]path[:tag][@digest]` into its normalised form: docker.io and library/ are
 * filled in, and `latest` is added when neither tag nor digest is given. Throws INVALID_REFERENCE
 * naming the input and the reason.
 */
export function parseReference(text: string): ImageReference {
  if (text === '') throw invalid(text, 'the reference is empty');
  if (/\s/.test(text)) throw invalid(text, 'the reference contains whitespace');
  if (imageIdRe.test(text))
    throw invalid(text, 'a 64-character hexadecimal string is an image ID, not a repository name');

  const { domain, remainder } = splitDomain(text);
  if (!domainRe.test(domain)) throw invalid(text, `invalid registry host "${domain}"`);

  // The remainder holds no domain, so its first '@' starts the digest and the first ':' before
  // that starts the tag (path components cannot contain either).
  const at = remainder.indexOf('@');
  const nameAndTag = at === -1 ? remainder : remainder.slice(0, at);
  const digest = at === -1 ? undefined : remainder.slice(at + 1);
  const colon = nameAndTag.indexOf(':');
  const path = colon === -1 ? nameAndTag : nameAndTag.slice(0, colon);
  const tag = colon === -1 ? undefined : nameAndTag.slice(colon + 1);

  if (path === '') throw invalid(text, 'the repository name is empty');
  if (path.toLowerCase() !== path)
    throw invalid(text, `repository name "${path}" must be lowercase`);
  for (const component of path.split('/')) {
    if (!pathComponentRe.test(component))
      throw invalid(
        text,
        component === ''
          ? 'the repository name has an empty path component'
          : `invalid repository path component "${component}"`,
      );
  }
  if (domain.length + 1 + path.length > nameTotalLengthMax)
    throw invalid(text, `the repository name must not exceed ${nameTotalLengthMax} characters`);
  if (tag !== undefined && !tagRe.test(tag))
    throw invalid(
      text,
      tag === '' ? 'the tag is empty' : `invalid tag "${tag}" (at most 128 of [A-Za-z0-9_.-])`,
    );
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem) throw invalid(text, problem);
  }

  const ref: ImageReference = { domain, path };
  if (tag !== undefined) ref.tag = tag;
  else if (digest === undefined) ref.tag = defaultTag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/**
 * Splits `repo[:tag][@digest]` as written (not normalised: `busybox:1` gives repo `busybox`), after
 * checking it with parseReference, so a registry port or a digest is never taken for a tag. The
 * tag is undefined when none is written.
 */
export function splitRepoTag(text: string): { repo: string; tag?: string; digest?: string } {
  const ref = parseReference(text);
  const named = ref.digest ? text.slice(0, text.length - ref.digest.length - 1) : text;
  // A path component holds no ':', so the name ends in ":tag" only when the tag was written.
  const written = ref.tag !== undefined && named.endsWith(`:${ref.tag}`) ? ref.tag : undefined;
  const repo = written === undefined ? named : named.slice(0, named.length - written.length - 1);
  return {
    repo,
    ...(written !== undefined ? { tag: written } : {}),
    ...(ref.digest ? { digest: ref.digest } : {}),
  };
}
