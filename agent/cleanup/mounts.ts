// Mounts a stopped agent left under its roots (container root filesystems, volume and secret
// mounts), unmounted deepest first. Lazy (MNT_DETACH), so a mount some process still uses goes
// from the tree at once and is freed when that process lets go.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Unmounts everything mounted below any of `roots`; returns the mount points. */
export async function unmountUnder(roots: string[]): Promise<string[]> {
  // Strictly below: a root that is itself a mount (a tmpfs exec root) is the operator's.
  const points = mountPoints().filter((p) => roots.some((r) => p.startsWith(r + '/')));
  // Deepest first: a mount inside another goes before it.
  points.sort((a, b) => b.length - a.length);
  const done: string[] = [];
  for (const p of [...new Set(points)]) {
    const ok = await new Promise<boolean>((resolve) =>
      execFile('umount', ['-l', p], (err) => resolve(!err)),
    );
    if (ok) done.push(p);
  }
  return done;
}

/** Mount points from /proc/self/mountinfo (field 5, octal escapes decoded). */
export function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) =>
      l.split(' ')[4].replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))),
    );
}
