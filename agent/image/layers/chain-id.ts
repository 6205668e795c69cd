// ChainIDs (OCI image-spec): the identity of a layer *on its parents*. The same diff applied on a
// different parent is a different unpacked layer, so layer directories are keyed by chain id.
import { createHash } from 'node:crypto';
import { digestHex } from '../content/index.js';

/** chain[0] = diff[0]; chain[i] = sha256(chain[i-1] + " " + diff[i]) over the full "sha256:…" strings. */
export function chainIdOf(parentChainId: string | undefined, diffId: string): string {
  digestHex(diffId);
  if (parentChainId === undefined) return diffId;
  digestHex(parentChainId);
  return `sha256:${createHash('sha256').update(`${parentChainId} ${diffId}`).digest('hex')}`;
}

/** Chain ids of all layers of an image, bottom first, from its config's rootfs.diff_ids. */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  let parent: string | undefined;
  for (const diffId of diffIds) {
    parent = chainIdOf(parent, diffId);
    out.push(parent);
  }
  return out;
}
