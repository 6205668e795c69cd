// The container side of `flotilla agent cleanup`: containers a killed agent left running under
// conmon are killed and deleted from the OCI runtime's state (runc, crun roots in the exec root),
// their conmon processes ended, and their cgroups (/flotilla/<id> in each hierarchy) removed.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { join } from 'node:path';

const cgroupRoot = '/sys/fs/cgroup';

/** Kills and deletes every container in the runtime roots under `execRoot`; returns their ids. */
export async function removeContainers(execRoot: string): Promise<string[]> {
  const ids: string[] = [];
  for (const [binary, dir] of [
    ['runc', 'runc'],
    ['crun', 'crun'],
  ]) {
    const root = join(execRoot, dir);
    for (const id of existsSync(root) ? readdirSync(root) : []) {
      await tool(binary, ['--root', root, 'kill', id, 'KILL']);
      await tool(binary, ['--root', root, 'delete', '--force', id]);
      ids.push(id);
    }
  }
  for (const pid of conmonsOf(execRoot)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return ids;
}

/** Removes the cgroups of `ids` in every hierarchy (v1 controllers, or v2); returns the paths. */
export async function removeCgroups(ids: string[]): Promise<string[]> {
  const hierarchies = existsSync(join(cgroupRoot, 'cgroup.controllers'))
    ? [cgroupRoot]
    : readdirSync(cgroupRoot).map((c) => join(cgroupRoot, c));
  const removed: string[] = [];
  for (const id of ids)
    for (const h of hierarchies) {
      const path = join(h, 'flotilla', id);
      if (!existsSync(path)) continue;
      // A process that was just killed may still be leaving the cgroup: retry a moment.
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          await rmdir(path);
          removed.push(path);
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EBUSY') break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  return removed;
}

/** conmon processes started for this exec root (their command line names it). */
function conmonsOf(execRoot: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (cmd[0]?.endsWith('conmon') && cmd.some((a) => a.startsWith(execRoot + '/')))
        pids.push(Number(p));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

function tool(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve) => execFile(cmd, args, () => resolve()));
}
