// A snapshot's init layer, as Docker's daemon has one: the mount points the runtime needs (/proc,
// /etc/hosts …), made in a lower directory above the image's layers, so that runc never creates
// them in the container's upper directory, and `diff`, `commit` and build steps never see them.
import { lstat, mkdir, utimes, chown, chmod, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Paths (relative, no leading slash) the init layer holds. */
export interface InitLayerPaths {
  dirs: string[];
  /** Empty files; their parent directories are made too. */
  files: string[];
}

/**
 * Fills `initDir` with `paths`. A directory takes the mode, owner and times of the same directory
 * in the topmost image layer that has one (`lowerDirs`, top first), so that the merged view of
 * /etc is the image's; directories the image lacks are 0755 root.
 */
export async function writeInitLayer(
  initDir: string,
  paths: InitLayerPaths,
  lowerDirs: string[],
): Promise<void> {
  const dirs = new Set<string>();
  const withParents = (p: string) => {
    for (let d = p; d !== '.' && d !== '/' && d !== ''; d = dirname(d)) dirs.add(d);
  };
  paths.dirs.forEach(withParents);
  paths.files.forEach((f) => withParents(dirname(f)));
  // Parents first: a shorter path sorts before its children.
  for (const d of [...dirs].sort()) {
    const target = join(initDir, d);
    await mkdir(target, { mode: 0o755 });
    const image = await imageDirStat(d, lowerDirs);
    if (!image) continue;
    await chown(target, image.uid, image.gid);
    await chmod(target, image.mode & 0o7777);
  }
  for (const f of paths.files) await writeFile(join(initDir, f), '', { mode: 0o644 });
  // Times last: creating children updates a directory's mtime.
  for (const d of [...dirs].sort().reverse()) {
    const image = await imageDirStat(d, lowerDirs);
    if (image) await utimes(join(initDir, d), image.atime, image.mtime);
  }
}

async function imageDirStat(rel: string, lowerDirs: string[]) {
  for (const lower of lowerDirs) {
    const st = await lstat(join(lower, rel)).catch(() => undefined);
    if (st) return st.isDirectory() ? st : undefined;
  }
  return undefined;
}
