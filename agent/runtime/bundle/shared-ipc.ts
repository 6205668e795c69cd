// `--ipc shareable` and `--ipc container:NAME`, as Docker does them: a shareable container's
// /dev/shm is a tmpfs the agent mounts on the host (in the run's bundle directory) and binds in, so
// a container joining its IPC namespace (SysV objects) binds the same tmpfs (POSIX shm) too.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FlotillaError } from '../../../shared/errors/index.js';

const execFileP = promisify(execFile);

/** Where a shareable container's /dev/shm tmpfs is mounted on the host. */
export const shmDirOf = (bundleDir: string): string => join(bundleDir, 'shm');

/** Mounts the shareable container's /dev/shm tmpfs (mode 1777, like /dev/shm); returns its path. */
export async function mountShareableShm(bundleDir: string, sizeBytes: number): Promise<string> {
  const dir = shmDirOf(bundleDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await execFileP('mount', [
    '-t',
    'tmpfs',
    '-o',
    `mode=1777,size=${sizeBytes},nosuid,nodev,noexec`,
    'shm',
    dir,
  ]);
  return dir;
}

/**
 * Unmounts it when the run ends. Lazily: a joiner's bind of the tmpfs lives in the joiner's mount
 * namespace and keeps the files until it exits, as in Docker. "not mounted" is not an error.
 */
export async function unmountShareableShm(bundleDir: string): Promise<void> {
  await execFileP('umount', ['-l', shmDirOf(bundleDir)]).catch(() => {});
}

interface DonorStore {
  get(ref: string): {
    id: string;
    name: string;
    options: { ipcMode?: string };
    state: { status: string };
  };
}

/**
 * The host path of the /dev/shm a `container:REF` joiner binds. Docker's rules: the donor runs and
 * was created with `--ipc shareable` (moby's getIPCContainer message otherwise).
 */
export function donorShm(store: DonorStore, ref: string, bundleDirOf: (id: string) => string) {
  const rec = store.get(ref);
  const value = `container:${ref}`;
  if (rec.state.status !== 'running' && rec.state.status !== 'paused')
    throw new FlotillaError('CONTAINER_OPTION_INVALID', {
      option: '--ipc',
      value,
      reason: `cannot join the namespace of ${rec.name}: it is not running`,
    });
  if (rec.options.ipcMode !== 'shareable')
    throw new FlotillaError('CONTAINER_OPTION_INVALID', {
      option: '--ipc',
      value,
      reason: `container ${ref}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`,
    });
  return shmDirOf(bundleDirOf(rec.id));
}
