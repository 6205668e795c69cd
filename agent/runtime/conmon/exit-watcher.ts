// Notices exit files that conmon writes to <exit-dir>/<id>: fs.watch for speed, plus a periodic
// scan because inotify can drop events (and nothing is watched while the agent is down). Also reads
// the copy of the code conmon keeps in the container's persist dir.
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export class ExitWatcher {
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private readonly seen = new Set<string>();

  constructor(
    private readonly deps: {
      exitDir: string;
      scanIntervalMs?: number;
      onExit: (id: string, exitCode: number) => void;
    },
  ) {}

  async start(): Promise<void> {
    this.watcher = watch(this.deps.exitDir, (_event, file) => {
      if (file) void this.check(String(file));
    });
    this.timer = setInterval(() => void this.scan(), this.deps.scanIntervalMs ?? 1000);
    this.timer.unref();
    await this.scan();
  }

  async stop(): Promise<void> {
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
  }

  /** Forget a handled exit so that the next run of the same container is noticed. */
  forget(id: string): void {
    this.seen.delete(id);
  }

  async scan(): Promise<void> {
    const files = await readdir(this.deps.exitDir).catch(() => [] as string[]);
    for (const f of files) await this.check(f);
  }

  private async check(id: string): Promise<void> {
    if (this.seen.has(id)) return;
    const text = await readFile(join(this.deps.exitDir, id), 'utf8').catch(() => undefined);
    // conmon writes the file in one go; an empty read means we raced its creation.
    if (text === undefined || text.trim() === '') return;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.deps.onExit(id, parseInt(text.trim(), 10));
  }
}

/** The exit code conmon left in a persist dir, if the container has exited. */
export function persistedExit(persistDir: string): number | undefined {
  try {
    const code = parseInt(readFileSync(join(persistDir, 'exit'), 'utf8').trim(), 10);
    return Number.isFinite(code) ? code : undefined;
  } catch {
    return undefined;
  }
}
