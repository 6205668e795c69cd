// Docker's ContainerPathStat (the X-Docker-Container-Path-Stat header of the archive routes):
// name, size, mode as Go's os.FileMode bits, mtime, and where a symlink leads inside the view.
import type { Stats } from 'node:fs';
import type { FsView } from './fs-view.js';
import { lstatIn, requestedBase, resolveIn, resolveRequested } from './fs-view.js';

export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode: permission bits plus type and special bits in the high bits. */
  mode: number;
  mtime: string;
  linkTarget: string;
}

// Go's os.FileMode bits (io/fs): type bits sit at the top of a uint32.
const goMode = {
  dir: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
};

export function goFileMode(st: Stats): number {
  let m = st.mode & 0o777;
  if (st.mode & 0o4000) m += goMode.setuid;
  if (st.mode & 0o2000) m += goMode.setgid;
  if (st.mode & 0o1000) m += goMode.sticky;
  if (st.isDirectory()) m += goMode.dir;
  else if (st.isSymbolicLink()) m += goMode.symlink;
  else if (st.isFIFO()) m += goMode.namedPipe;
  else if (st.isSocket()) m += goMode.socket;
  else if (st.isBlockDevice()) m += goMode.device;
  else if (st.isCharacterDevice()) m += goMode.device + goMode.charDevice;
  return m;
}

/** Whether Go-mode bits name a directory / a symlink (for clients reading the header). */
export const isGoDir = (mode: number): boolean => mode >= goMode.dir;
export const isGoSymlink = (mode: number): boolean =>
  Math.floor(mode / goMode.symlink) % 2 === 1 && !isGoDir(mode);

/** The stat of a requested path, or undefined when it is not there. */
export async function pathStat(
  view: FsView,
  requested: string,
): Promise<{ stat: PathStat; resolved: string } | undefined> {
  const resolved = await resolveRequested(view, requested);
  const st = await lstatIn(view, resolved);
  if (!st) return undefined;
  const linkTarget = st.isSymbolicLink() ? await resolveIn(view, resolved, true) : '';
  return {
    resolved,
    stat: {
      name: requestedBase(requested),
      size: st.size,
      mode: goFileMode(st),
      mtime: st.mtime.toISOString(),
      linkTarget,
    },
  };
}

export function encodePathStat(s: PathStat): string {
  return Buffer.from(JSON.stringify(s)).toString('base64');
}

export function decodePathStat(header: string): PathStat {
  return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as PathStat;
}
