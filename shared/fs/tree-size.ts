// The bytes a directory tree holds, as `docker system df` counts them: the sizes of its files and
// symlinks, a hard-linked file once. Never follows a symlink out of the tree.
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';

/** Total size under `root` (0 when it does not exist). */
export async function treeSize(root: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    const handle = await opendir(dir).catch(() => undefined);
    if (!handle) return;
    for await (const entry of handle) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
        continue;
      }
      const st = await lstat(path).catch(() => undefined);
      if (!st) continue;
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      total += st.size;
    }
  };
  await walk(root);
  return total;
}
