// Layers shared by the unpack integration tests: a base layer with every entry kind and a top
// layer with whiteouts, an opaque dir and an implicit parent.
import type { LayerEntry } from '../../harness/image-builder.js';

/** security.capability value granting cap_net_raw, effective (VFS_CAP_REVISION_2). */
export const NET_RAW_CAP = [1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

export const LONG = 'very-long-directory-name-'.repeat(6);

export const baseLayer: LayerEntry[] = [
  { type: 'dir', path: 'etc' },
  { type: 'file', path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
  { type: 'file', path: 'etc/hostname', content: 'base\n' },
  { type: 'dir', path: 'tmp', mode: 0o1777 },
  { type: 'dir', path: 'opt/app/data', mode: 0o750, uid: 1000, gid: 1000 },
  { type: 'file', path: 'opt/app/data/old.txt', content: 'old', uid: 1000, gid: 1000 },
  { type: 'file', path: 'opt/app/data/keep-not.txt', content: 'hidden by opaque' },
  { type: 'dir', path: 'usr/bin' },
  { type: 'file', path: 'usr/bin/su', content: 'setuid', mode: 0o4755, uid: 0, gid: 0 },
  { type: 'file', path: 'usr/bin/wall', content: 'setgid', mode: 0o2755, uid: 0, gid: 5 },
  { type: 'symlink', path: 'usr/bin/sh', target: '/bin/busybox' },
  { type: 'dir', path: 'data/shared' },
  {
    type: 'file',
    path: 'data/shared/original',
    content: 'linked content',
    mode: 0o640,
    uid: 33,
    gid: 33,
  },
  { type: 'dir', path: 'data/other' },
  { type: 'hardlink', path: 'data/other/hardlink', target: 'data/shared/original' },
  { type: 'fifo', path: 'data/pipe', mode: 0o600 },
  { type: 'chardev', path: 'data/null', major: 1, minor: 3, mode: 0o666 },
  { type: 'file', path: `deep/${LONG}/${LONG}/file-with-a-long-name.txt`, content: 'long path' },
  { type: 'file', path: 'data/bigid', content: 'pax ids', pax: { uid: '3000000', gid: '3000001' } },
  { type: 'file', path: 'data/xattr', content: 'x', pax: { 'SCHILY.xattr.user.flotilla': 'yes' } },
  // A file capability (cap_net_raw+ep, VFS v2): binary, with NUL bytes.
  {
    type: 'file',
    path: `data/${LONG}/ping`,
    content: 'ping',
    mode: 0o755,
    pax: { 'SCHILY.xattr.security.capability': String.fromCharCode(...NET_RAW_CAP) },
  },
];

export const topLayer: LayerEntry[] = [
  { type: 'whiteout', path: 'etc/hostname' },
  { type: 'opaque', dir: 'opt/app/data' },
  { type: 'file', path: 'opt/app/data/new.txt', content: 'new' },
  // tmp is an implicit parent here: it must keep 1777 from the base layer.
  { type: 'file', path: 'tmp/scratch', content: 'scratch' },
  { type: 'file', path: 'etc/motd', content: 'hello' },
];
