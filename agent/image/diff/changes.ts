// What `docker diff` shows: the paths a container changed, read from its overlay upper directory
// against the lower directories (its init layer and the image's layers), with Docker's rules: a
// whiteout is a deletion, a path a lower has is a change, any other path an addition; a directory
// that overlayfs only copied up (same size, mode and mtime as below) is left out unless something
// was added or deleted beneath it. Sorted as Docker sorts them.
import type { BigIntStats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';

/** Docker's ChangeType: 0 modified (C), 1 added (A), 2 deleted (D). */
export type ChangeKind = 0 | 1 | 2;
export interface Change {
  Path: string;
  Kind: ChangeKind;
}

const isWhiteout = (s: BigIntStats) => s.isCharacterDevice() && s.rdev === 0n;

/** Docker's sameFsTime: equal, or equal seconds where one side has no sub-second part. */
function sameTime(a: BigIntStats, b: BigIntStats): boolean {
  if (a.mtimeNs === b.mtimeNs) return true;
  const sec = (s: BigIntStats) => s.mtimeNs / 1_000_000_000n;
  const nsec = (s: BigIntStats) => s.mtimeNs % 1_000_000_000n;
  return sec(a) === sec(b) && (nsec(a) === 0n || nsec(b) === 0n);
}

/** The changes in `upperDir` over `lowerDirs` (top first, as overlayfs stacks them). */
export async function upperChanges(upperDir: string, lowerDirs: string[]): Promise<Change[]> {
  const out = new Map<string, ChangeKind>();
  // The first lower that has the path, as Docker's os.Stat finds it (following symlinks).
  const inLower = async (rel: string) => {
    for (const d of lowerDirs) {
      const st = await stat(join(d, rel), { bigint: true }).catch(() => undefined);
      if (st) return st;
    }
    return undefined;
  };
  const markParents = (rel: string) => {
    for (let p = posix.dirname(rel); p !== '.' && p !== ''; p = posix.dirname(p))
      if (!out.has(`/${p}`)) out.set(`/${p}`, 0);
  };
  const visit = async (rel: string): Promise<void> => {
    const names = await readdir(join(upperDir, rel)).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const child = posix.join(rel, name);
      const st = await lstat(join(upperDir, child), { bigint: true });
      const path = `/${child}`;
      if (isWhiteout(st)) {
        out.set(path, 2);
        markParents(child);
        continue;
      }
      const below = await inLower(child);
      if (!below) {
        out.set(path, 1);
        markParents(child);
      } else if (!(
        below.isDirectory() &&
        st.isDirectory() &&
        st.size === below.size &&
        st.mode === below.mode &&
        sameTime(st, below)
      ))
        out.set(path, 0);
      if (st.isDirectory()) await visit(child);
    }
  };
  await visit('');
  return [...out]
    .map(([Path, Kind]) => ({ Path, Kind }))
    .sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
}

/** `docker diff`'s line for one change: `C /tmp`, `A /tmp/x`, `D /etc/motd`. */
export function changeLine(c: Change): string {
  return `${'CAD'[c.Kind]} ${c.Path}`;
}
