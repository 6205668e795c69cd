// What `docker diff` shows: the paths a container changed, read from its overlay upper directory
// against the image's layer directories (a whiteout is a deletion, a path the image has is a change,
// any other path an addition), sorted as Docker sorts them.
import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';

/** Docker's ChangeType: 0 modified (C), 1 added (A), 2 deleted (D). */
export type ChangeKind = 0 | 1 | 2;
export interface Change {
  Path: string;
  Kind: ChangeKind;
}

const isWhiteout = (s: Stats) => s.isCharacterDevice() && s.rdev === 0;

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** The changes in `upperDir` over `lowerDirs` (the image's layers, any order). */
export async function upperChanges(upperDir: string, lowerDirs: string[]): Promise<Change[]> {
  const out: Change[] = [];
  const inImage = async (rel: string) => {
    for (const d of lowerDirs) if (await exists(join(d, rel))) return true;
    return false;
  };
  const visit = async (rel: string): Promise<void> => {
    const names = await readdir(join(upperDir, rel)).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const child = posix.join(rel, name);
      const st = await lstat(join(upperDir, child));
      const path = `/${child}`;
      if (isWhiteout(st)) out.push({ Path: path, Kind: 2 });
      else {
        out.push({ Path: path, Kind: (await inImage(child)) ? 0 : 1 });
        if (st.isDirectory()) await visit(child);
      }
    }
  };
  await visit('');
  return out.sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
}

/** `docker diff`'s line for one change: `C /tmp`, `A /tmp/x`, `D /etc/motd`. */
export function changeLine(c: Change): string {
  return `${'CAD'[c.Kind]} ${c.Path}`;
}
