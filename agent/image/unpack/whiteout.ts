// Parses whiteout marker names (OCI image-spec layer.md). `.wh.NAME` deletes NAME from lower layers,
// `.wh..wh..opq` hides everything below its directory; other `.wh..wh.*` names are AUFS metadata.

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
const META_PREFIX = '.wh..wh.';

export type WhiteoutKind =
  | { kind: 'none' }
  | { kind: 'whiteout'; target: string }
  | { kind: 'opaque' }
  | { kind: 'meta' }
  | { kind: 'invalid'; reason: string };

/** Classifies the last component of an entry name. */
export function parseWhiteout(baseName: string): WhiteoutKind {
  if (!baseName.startsWith(WHITEOUT_PREFIX)) return { kind: 'none' };
  if (baseName === OPAQUE_MARKER) return { kind: 'opaque' };
  if (baseName.startsWith(META_PREFIX)) return { kind: 'meta' };
  const target = baseName.slice(WHITEOUT_PREFIX.length);
  if (target === '' || target === '.' || target === '..' || target.includes('/')) {
    return { kind: 'invalid', reason: `whiteout names no valid file ("${target}")` };
  }
  return { kind: 'whiteout', target };
}
