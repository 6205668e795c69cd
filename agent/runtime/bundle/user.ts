// Turns Docker's `user`, `uid`, `user:group` or `uid:gid` into numeric ids by reading the
// container's /etc/passwd and /etc/group through a secure join (a hostile image cannot point
// them at host files).
import { readFileSync } from 'node:fs';
import { FlotillaError } from '../../../shared/errors/index.js';
import { secureJoin } from './secure-join.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}
interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** Lines of a file of the image (/etc/passwd, /etc/group), read through a secure join. */
export function readLines(rootfs: string, path: string): string[] {
  try {
    return readFileSync(secureJoin(rootfs, path), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
  } catch {
    return [];
  }
}

export function parsePasswd(lines: string[]): PasswdEntry[] {
  return lines
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 4)
    .map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' }));
}

export function parseGroup(lines: string[]): GroupEntry[] {
  return lines
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 3)
    .map((f) => ({
      name: f[0],
      gid: Number(f[2]),
      members: (f[3] ?? '').split(',').filter(Boolean),
    }));
}

const numeric = /^\d+$/;

export function resolveUserFrom(
  spec: string,
  passwd: PasswdEntry[],
  groups: GroupEntry[],
): ResolvedUser {
  const [userPart, groupPart] = spec ? spec.split(':', 2) : ['', undefined];
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name: string | undefined;
  if (!userPart) {
    const root = passwd.find((p) => p.uid === 0);
    home = root?.home ?? '/root';
    name = root?.name ?? 'root';
  } else {
    const byName = passwd.find((p) => p.name === userPart);
    const byId = numeric.test(userPart)
      ? passwd.find((p) => p.uid === Number(userPart))
      : undefined;
    const entry = byName ?? byId;
    if (entry) {
      uid = entry.uid;
      gid = entry.gid;
      home = entry.home;
      name = entry.name;
    } else if (numeric.test(userPart)) {
      // An unknown numeric uid is fine (gid 0), as in Docker.
      uid = Number(userPart);
    } else
      throw new FlotillaError('CONTAINER_USER_NOT_FOUND', {
        what: 'user',
        name: userPart,
        file: 'passwd',
      });
  }
  let additionalGids: number[] = [];
  if (groupPart !== undefined && groupPart !== '') {
    const g =
      groups.find((x) => x.name === groupPart) ??
      (numeric.test(groupPart) ? { gid: Number(groupPart) } : undefined);
    if (!g)
      throw new FlotillaError('CONTAINER_USER_NOT_FOUND', {
        what: 'group',
        name: groupPart,
        file: 'group',
      });
    gid = g.gid;
  } else if (name) {
    // Without an explicit group: the primary group plus every group listing the user.
    additionalGids = groups
      .filter((g) => g.members.includes(name!) && g.gid !== gid)
      .map((g) => g.gid);
  }
  return { uid, gid, additionalGids, home };
}

export function resolveUser(rootfs: string, spec: string): ResolvedUser {
  return resolveUserFrom(
    spec,
    parsePasswd(readLines(rootfs, '/etc/passwd')),
    parseGroup(readLines(rootfs, '/etc/group')),
  );
}
