// The contract between the image store (which unpacks layers) and the runtime (which needs a root
// filesystem per container). A snapshot is an overlay of an image's layer directories plus the
// container's own upper and work directories.
import type { InitLayerPaths } from './init-layer.js';

export interface Snapshot {
  /** Mounted root filesystem of the container (the bundle's rootfs). */
  rootfs: string;
  /** The container's writable layer: what `commit` turns into a new layer. */
  upperDir: string;
  /** The init layer (runtime mount points), the topmost lower directory, when there is one. */
  initDir?: string;
}

export interface Snapshotter {
  /**
   * Creates and mounts the root filesystem for `containerId` on top of the image's layers
   * (chain ids, bottom first). Idempotent: an existing mounted snapshot is returned as is.
   * An image with no layers gets an empty lower directory. With `init`, a new snapshot gets an
   * init layer holding those paths above the image's layers (an existing one keeps what it has).
   */
  prepare(containerId: string, chainIds: string[], init?: InitLayerPaths): Promise<Snapshot>;
  /** Mounts an existing snapshot again (after a reboot cleared mounts). */
  mount(containerId: string): Promise<Snapshot>;
  /** Unmounts the root filesystem, keeping the upper directory. */
  unmount(containerId: string): Promise<void>;
  /** Unmounts and deletes everything of the snapshot. Idempotent. */
  remove(containerId: string): Promise<void>;
  /** Absolute directory of an unpacked layer (its contents), by chain id. */
  layerDir(chainId: string): string;
}
