// The host's device nodes, as OCI `linux.devices` entries: what a --privileged container gets in
// its /dev (Docker's HostDevices, from runc's libcontainer/devices). runc creates each node in the
// container's /dev; the device cgroup already allows all of them for --privileged.
import { lstatSync, readdirSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';

export interface OciDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

/** Directories runc's GetDevices skips: other mounts (pts, shm, mqueue) and container managers'. */
const skipDirs = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

/** The OCI entry of the device node `st` (a character or block device) at `path`. */
export function ociDevice(path: string, st: BigIntStats): OciDevice {
  const rdev = st.rdev;
  return {
    path,
    type: st.isCharacterDevice() ? 'c' : 'b',
    // Linux's dev_t encoding (major and minor split across the low and high bits).
    major: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)),
    minor: Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)),
    fileMode: Number(st.mode & 0o777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
  };
}

/** Every character and block device under `root` (not symlinks, not /dev/console). */
export function hostDevices(root = '/dev'): OciDevice[] {
  const out: OciDevice[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      let st;
      try {
        st = lstatSync(path, { bigint: true });
      } catch {
        continue; // gone meanwhile
      }
      if (st.isDirectory()) {
        if (!skipDirs.has(name)) walk(path);
        continue;
      }
      if ((!st.isCharacterDevice() && !st.isBlockDevice()) || path === join(root, 'console'))
        continue;
      out.push(ociDevice(path, st));
    }
  };
  walk(root);
  return out;
}
