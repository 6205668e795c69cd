// Thin wrappers over mount(8)/umount(8) (Node has no mount(2)) and a reader for the kernel's
// mount table.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Longest option string mount(2) accepts: one page, including the terminating NUL. */
export const MAX_MOUNT_OPTIONS_BYTES = 4095;

/** Mount points of the current mount namespace, unescaped (\040 → space). */
export async function mountPoints(): Promise<Set<string>> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    if (fields.length > 4)
      out.add(
        fields[4].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))),
      );
  }
  return out;
}

export async function isMountPoint(path: string): Promise<boolean> {
  return (await mountPoints()).has(path);
}

/** Runs `mount -t overlay overlay -o OPTIONS TARGET` in `cwd`, so relative lowerdirs resolve there. */
export async function mountOverlay(options: string, target: string, cwd: string): Promise<void> {
  await execFileP('mount', ['-t', 'overlay', 'overlay', '-o', options, target], { cwd });
}

export async function umount(target: string, opts: { lazy?: boolean } = {}): Promise<void> {
  await execFileP('umount', opts.lazy ? ['-l', target] : [target]);
}

export function execErrorText(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  return (e.stderr?.trim() || e.message || String(err)).slice(0, 500);
}
