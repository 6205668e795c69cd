// The mount points of every container's spec (spec.ts) that an image may lack. The snapshot's init
// layer holds them (as Docker's init layer does), so runc finds them instead of creating them in
// the container's writable layer, where `diff` and `commit` would see them.
import type { InitLayerPaths } from '../../image/snapshot/index.js';

export const runtimeMountPoints: InitLayerPaths = {
  // /dev/pts, /dev/shm and /dev/mqueue live on the /dev tmpfs, /sys/fs/cgroup on sysfs.
  dirs: ['dev', 'proc', 'sys'],
  files: ['etc/hostname', 'etc/hosts', 'etc/resolv.conf'],
};
