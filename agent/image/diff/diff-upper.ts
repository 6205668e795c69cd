// Turns a container's overlay upper dir into an uncompressed layer tar (for commit and build), and
// a merged root filesystem into a plain tar (for export). Compression and digests are the caller's.
import type { Readable } from 'node:stream';
import { writeTree } from './tar-writer.js';

/**
 * An OCI layer tar of an overlay upper dir: 0/0 character devices become `.wh.NAME` entries and
 * directories with trusted.overlay.opaque=y get a `.wh..wh..opq` entry. Read the upper dir only
 * while the container is stopped (or frozen): a changing tree gives an inconsistent layer.
 */
export function diffUpper(upperDir: string): Readable {
  return writeTree(upperDir, 'upper');
}

/** A tar of a directory as it is (a mounted rootfs for `export`); devices stay devices. */
export function tarDirectory(dir: string): Readable {
  return writeTree(dir, 'plain');
}
