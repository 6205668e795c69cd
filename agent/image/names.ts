// How the image service writes references and ids: full names in the store
// (`127.0.0.1:5000/app:v1`, `docker.io/library/busybox:latest`), familiar names for people
// (`busybox`, `127.0.0.1:5000/app`), short ids (12 hex), and chain ids.
import { createHash } from 'node:crypto';
import type { ImageReference } from './registry/index.js';

/** `domain/path`, the repository part of a normalised reference. */
export function repoName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** `domain/path:tag` (or `@digest` when there is no tag). */
export function refString(ref: ImageReference): string {
  if (ref.tag) return `${repoName(ref)}:${ref.tag}`;
  if (ref.digest) return `${repoName(ref)}@${ref.digest}`;
  return `${repoName(ref)}:latest`;
}

/** Drops `docker.io/` and `docker.io/library/` as Docker does when printing. */
export function familiarName(name: string): string {
  if (name.startsWith('docker.io/library/')) return name.slice('docker.io/library/'.length);
  if (name.startsWith('docker.io/')) return name.slice('docker.io/'.length);
  return name;
}

/** Splits a stored `repo@digest`. */
export function splitDigest(name: string): { repo: string; digest: string } {
  const at = name.indexOf('@');
  return { repo: name.slice(0, at), digest: name.slice(at + 1) };
}

/** The first 12 hex digits of a digest, as Docker shows image and layer ids. */
export function shortId(digest: string): string {
  const hex = digest.includes(':') ? digest.slice(digest.indexOf(':') + 1) : digest;
  return hex.slice(0, 12);
}

/** ChainIDs: chain[0] = diff[0]; chain[i] = sha256(chain[i-1] + " " + diff[i]). */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev ? `sha256:${createHash('sha256').update(`${prev} ${d}`).digest('hex')}` : d);
  }
  return out;
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

const digestRe = /^sha256:[a-f0-9]{64}$/;

/** Validates a digest before it is used in a file path or a URL. */
export function isDigest(s: unknown): s is string {
  return typeof s === 'string' && digestRe.test(s);
}
