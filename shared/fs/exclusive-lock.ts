// An exclusive lock that the kernel releases when its holder dies, however it dies (flock(2) on an
// open file). Node has no flock, so `flock -xn 3` runs with the file as its fd 3: the child
// locks the open file description it shares with us and exits, and the lock stays with our
// descriptor until we close it or die. Two processes racing get exactly one lock; a stale pid
// file cannot fool it (docs/decisions/0002-one-agent-per-root.md).
import { spawn } from 'node:child_process';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface HeldLock {
  readonly path: string;
  /** Releases the lock (closing our descriptor). Idempotent. */
  release(): Promise<void>;
}

export type LockResult =
  | { held: true; lock: HeldLock }
  /** `pid`: the holder's pid as it wrote it into the file (0 when not known yet). */
  | { held: false; pid: number };

/** Takes the lock on `path` (created 0600) without waiting; writes our pid into the file. */
export async function tryExclusiveLock(path: string): Promise<LockResult> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Node opens with O_CLOEXEC: children (conmon, runc) never inherit the lock.
  const fh = await open(path, 'a+', 0o600);
  try {
    if (!(await flockNonBlocking(fh))) {
      const pid = await holderPid(fh);
      await fh.close();
      return { held: false, pid };
    }
    await fh.truncate(0);
    await fh.write(`${process.pid}\n`, 0);
  } catch (err) {
    await fh.close().catch(() => {});
    throw err;
  }
  let released = false;
  return {
    held: true,
    lock: {
      path,
      release: async () => {
        if (released) return;
        released = true;
        // No pid left behind for the next taker's rivals to read before it writes its own.
        await fh.truncate(0).catch(() => {});
        await fh.close();
      },
    },
  };
}

/** True when `path` is locked by a live process (the lock is not kept). */
export async function isLocked(path: string): Promise<{ locked: boolean; pid: number }> {
  const r = await tryExclusiveLock(path);
  if (!r.held) return { locked: true, pid: r.pid };
  await r.lock.release();
  return { locked: false, pid: 0 };
}

/**
 * The pid the holder wrote. A holder that has just taken the lock writes it a moment later (two
 * agents started at once), so an empty file is read again for up to half a second.
 */
async function holderPid(fh: FileHandle): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(32), 0, 32, 0);
    const pid = Number(buffer.subarray(0, bytesRead).toString('utf8').trim()) || 0;
    if (pid || attempt >= 25) return pid;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function flockNonBlocking(fh: FileHandle): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['--exclusive', '--nonblock', '3'], {
      stdio: ['ignore', 'ignore', 'pipe', fh.fd],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(true);
      else if (code === 1) resolve(false);
      else reject(new Error(`flock exited with ${code}: ${stderr.trim()}`));
    });
  });
}
