// A task's secret and config files: a tmpfs of its own under <exec-root>/secrets/<taskId> (0700,
// in memory, never on disk), one file per reference with its uid, gid and mode, bind-mounted
// read-only into the container. Unmounted and removed with the task. Secrets go nowhere else.
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import { fileTargetPath, type FileReference, type Task } from '../../shared/model/index.js';
import type { HeldSecrets } from './held-secrets.js';

const execFileP = promisify(execFile);
/** How long a task waits for secrets that should already have arrived with it. */
const arrivalTimeoutMs = 10_000;

export interface TaskFileMount {
  type: 'bind';
  source: string;
  target: string;
  readOnly: true;
}

export class TaskFiles {
  constructor(private readonly deps: { execRoot: string; held: HeldSecrets; log: Logger }) {}

  private dirOf(taskId: string): string {
    return join(this.deps.execRoot, 'secrets', taskId);
  }

  /** Writes the task's files into its tmpfs; returns the bind mounts for the container. */
  async prepare(task: Task, signal?: AbortSignal): Promise<TaskFileMount[]> {
    const c = task.spec.containerSpec;
    const refs = [
      ...(c.secrets ?? []).map((r) => ({ kind: 'secret' as const, r })),
      ...(c.configs ?? []).map((r) => ({ kind: 'config' as const, r })),
    ];
    if (refs.length === 0) return [];
    await this.deps.held.waitFor(
      refs.map((x) => x.r.id),
      arrivalTimeoutMs,
      signal,
    );
    const data = refs.map(({ kind, r }) => {
      const held = this.deps.held.get(r.id);
      if (!held) throw new FlotillaError('TASK_SECRET_MISSING', { kind, name: r.name, id: r.id });
      return held.data;
    });
    const dir = this.dirOf(task.id);
    await this.mountTmpfs(
      dir,
      data.reduce((n, d) => n + d.length, 0),
    );
    const mounts: TaskFileMount[] = [];
    for (const [i, { kind, r }] of refs.entries()) {
      // Files are numbered, not named after the target: a target is a path chosen by the user.
      const file = join(dir, `${kind}-${i}`);
      await writeFile(file, data[i], { mode: 0o600 });
      await chown(file, Number(r.uid || 0), Number(r.gid || 0));
      await chmod(file, modeOf(r));
      mounts.push({
        type: 'bind',
        source: file,
        target: fileTargetPath(kind, r.target),
        readOnly: true,
      });
    }
    return mounts;
  }

  /** The task is gone: unmount its tmpfs (the files go with it) and remove the directory. */
  async release(taskId: string): Promise<void> {
    const dir = this.dirOf(taskId);
    if (await isMounted(dir))
      await execFileP('umount', [dir]).catch(async (err) => {
        this.deps.log.warn({ err, taskId }, 'unmounting task secrets failed, detaching');
        await execFileP('umount', ['-l', dir]);
      });
    await rm(dir, { recursive: true, force: true });
  }

  private async mountTmpfs(dir: string, bytes: number): Promise<void> {
    await mkdir(join(this.deps.execRoot, 'secrets'), { recursive: true, mode: 0o700 });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (await isMounted(dir)) return;
    // Room for the files and their inodes; a tmpfs only takes the memory it holds.
    const size = Math.max(1 << 20, bytes * 2);
    await execFileP('mount', [
      '-t',
      'tmpfs',
      '-o',
      `mode=0700,size=${size},nosuid,nodev,noexec`,
      'flotilla-secrets',
      dir,
    ]);
  }
}

function modeOf(r: FileReference): number {
  return (r.mode ?? 0o444) & 0o7777;
}

async function isMounted(dir: string): Promise<boolean> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').some((l) => l.split(' ')[4] === dir);
}
