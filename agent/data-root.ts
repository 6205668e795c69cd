// Creates the agent's data and exec roots and closes them to other local users at every start,
// tightening roots left open by older versions (0755: CVE-2021-41091's class). The modes of what
// the components create below them are set where they create it (docs/design/agent-files.md).
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Traversable by root's group (as Docker's 0710 since 20.10.9), never listable by others. */
export const ROOT_DIR_MODE = 0o710;
/** Every directory of the agent's own state below the roots. */
export const PRIVATE_DIR_MODE = 0o700;
/** Records, bundles, metadata: they hold environment values and mount sources. */
export const PRIVATE_FILE_MODE = 0o600;

/** Top-level directories made up front, so none is first created with a looser mode. */
const dataDirs = ['image', 'containers', 'volumes', 'network', 'build'];
/** Below these, the next level is the agent's too (content, layers, snapshots, build cache …). */
const nestedDataDirs = ['image', 'build'];

/**
 * mkdir -p of both roots, then chmod of the roots (0710) and of the agent's directories and files
 * one or two levels below them (0700 / 0600). Symlinks are left alone (never followed), as are
 * sockets (the API socket keeps its own 0660). Idempotent; a few dozen syscalls.
 */
export async function secureAgentRoots(roots: { dataRoot: string; execRoot: string }) {
  for (const root of [roots.dataRoot, roots.execRoot]) {
    await mkdir(root, { recursive: true, mode: ROOT_DIR_MODE });
    await chmod(root, ROOT_DIR_MODE);
  }
  for (const d of dataDirs)
    await mkdir(join(roots.dataRoot, d), { mode: PRIVATE_DIR_MODE }).catch(ignoreExists);
  await tightenEntries(roots.dataRoot);
  for (const d of nestedDataDirs) await tightenEntries(join(roots.dataRoot, d));
  await tightenEntries(roots.execRoot);
}

/** chmod of each directory (0700) and regular file (0600) directly inside `dir`. */
async function tightenEntries(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const path = join(dir, name);
    const st = await lstat(path).catch(() => undefined);
    if (st?.isDirectory()) await chmod(path, PRIVATE_DIR_MODE);
    else if (st?.isFile()) await chmod(path, PRIVATE_FILE_MODE);
  }
}

function ignoreExists(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EEXIST') throw err;
}
