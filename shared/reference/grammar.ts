// The reference grammar of distribution/reference (regexp.go), ported as anchored JS regexes.
// Parsing and normalisation live in parse.ts; this file only says what each piece may look like.

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const ipv6Address = '\\[(?:[a-fA-F0-9:]+)\\]';
const host = `(?:${domainName}|${ipv6Address})`;
const optionalPort = '(?::[0-9]+)?';

export const pathComponentRe = new RegExp(`^${pathComponent}$`);
export const domainRe = new RegExp(`^${host}${optionalPort}$`);
export const tagRe = /^[\w][\w.-]{0,127}$/;
/** Any well-formed digest (algorithm:encoded); the algorithm-specific check is digestAlgorithms. */
export const anyDigestRe = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
/** A bare image id: docker refuses it as a repository name. */
export const imageIdRe = /^[a-f0-9]{64}$/;

/** Algorithms go-digest knows, with the exact length of their lowercase hex encoding. */
export const digestAlgorithms: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** The limit on domain + '/' + path (distribution's NameTotalLengthMax). */
export const nameTotalLengthMax = 255;

export const defaultDomain = 'docker.io';
export const legacyDefaultDomain = 'index.docker.io';
export const officialRepoPrefix = 'library/';
export const defaultTag = 'latest';

/** Returns a reason when `digest` is not a supported `algorithm:hex` digest, else undefined. */
export function digestProblem(digest: string): string | undefined {
  if (!anyDigestRe.test(digest)) return `invalid digest "${digest}"`;
  const [algorithm, encoded] = digest.split(':') as [string, string];
  const length = digestAlgorithms[algorithm];
  if (length === undefined) return `unsupported digest algorithm "${algorithm}"`;
  if (encoded.length !== length || !/^[a-f0-9]+$/.test(encoded))
    return `digest "${digest}" must have ${length} lowercase hex characters`;
  return undefined;
}

/** True for sha256:<64 hex>, sha384:<96>, sha512:<128>: safe to use in URLs and file paths. */
export function isValidDigest(digest: string): boolean {
  return digestProblem(digest) === undefined;
}
