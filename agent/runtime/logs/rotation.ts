// Size-based rotation of conmon's k8s-file logs, with Docker's --log-opt names: past `max-size`
// the live file becomes ctr.log.1 (older ones shift up, the oldest beyond `max-file` goes) and
// conmon reopens ctr.log (ctl "2 0 0"). conmon's own --log-size-max truncates instead, so it is
// not used. Lines written between the rename and the reopen land in .1: none are lost.
import { watch, type FSWatcher } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';
import { parseBytes } from '../../../shared/units/index.js';

/** The default cap when no --log-opt is given: 10 MB × 3 files (30 MB per container). */
export const defaultLogLimits = { maxSizeBytes: 10 * 1024 * 1024, maxFiles: 3 };

export interface LogLimits {
  /** 0 = never rotate. */
  maxSizeBytes: number;
  /** Files kept, the live one included (≥ 1). */
  maxFiles: number;
}

/** Parses Docker's `max-size`/`max-file` log options; anything else is refused. */
export function parseLogOpts(opts: Record<string, string> = {}): LogLimits {
  const out = { ...defaultLogLimits };
  for (const [k, v] of Object.entries(opts)) {
    if (k === 'max-size') {
      out.maxSizeBytes = v === '-1' ? 0 : parseBytes(v, '--log-opt max-size');
    } else if (k === 'max-file') {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1)
        throw new FlotillaError('CONTAINER_OPTION_INVALID', {
          option: '--log-opt max-file',
          value: v,
          reason: 'must be a positive integer',
        });
      out.maxFiles = n;
    } else
      throw new FlotillaError('CONTAINER_OPTION_INVALID', {
        option: '--log-opt',
        value: `${k}=${v}`,
        reason: 'supported: max-size, max-file',
      });
  }
  return out;
}

/** Shifts path.N-1 → path.N … path → path.1, dropping what would exceed `maxFiles`. */
export async function shiftLogFiles(path: string, maxFiles: number): Promise<void> {
  if (maxFiles <= 1) {
    // Nothing old is kept: the live file is cut (conmon reopens and recreates it).
    await rm(path, { force: true });
    return;
  }
  await rm(`${path}.${maxFiles - 1}`, { force: true });
  for (let i = maxFiles - 2; i >= 1; i--)
    await rename(`${path}.${i}`, `${path}.${i + 1}`).catch(() => undefined);
  await rename(path, `${path}.1`).catch(() => undefined);
}

interface Watched {
  path: string;
  limits: LogLimits;
  watcher?: FSWatcher;
  pending?: NodeJS.Timeout;
  inflight?: Promise<void>;
}

/**
 * Watches the logs of running containers and rotates each past its limit. Writes wake it through
 * fs.watch (checked at most every `checkMs`); a slow scan catches anything a watch missed.
 */
export class LogRotator {
  private readonly logs = new Map<string, Watched>();
  private scanTimer?: NodeJS.Timeout;

  constructor(
    private readonly deps: {
      /** Asks conmon to reopen its log file (ctl "2 0 0"). */
      reopen(id: string): Promise<void>;
      /** Whether the file may be rotated now (a shipper still reading the old one says no). */
      canRotate?(id: string): Promise<boolean>;
      onError(err: unknown, id: string): void;
      checkMs?: number;
      scanMs?: number;
    },
  ) {}

  start(): void {
    this.scanTimer = setInterval(() => {
      for (const id of this.logs.keys()) void this.check(id);
    }, this.deps.scanMs ?? 5000);
    this.scanTimer.unref();
  }

  stop(): void {
    if (this.scanTimer) clearInterval(this.scanTimer);
    for (const id of [...this.logs.keys()]) this.unwatch(id);
  }

  watch(id: string, path: string, limits: LogLimits): void {
    this.unwatch(id);
    if (!limits.maxSizeBytes) return;
    const w: Watched = { path, limits };
    this.logs.set(id, w);
    this.arm(id, w);
    void this.check(id);
  }

  unwatch(id: string): void {
    const w = this.logs.get(id);
    if (!w) return;
    w.watcher?.close();
    if (w.pending) clearTimeout(w.pending);
    this.logs.delete(id);
  }

  private arm(id: string, w: Watched): void {
    w.watcher?.close();
    try {
      // The directory, not the file: the watch survives renames and conmon recreating the file.
      const base = basename(w.path);
      w.watcher = watch(dirname(w.path), (_event, file) => {
        if (w.pending || (file && file !== base)) return;
        w.pending = setTimeout(() => {
          w.pending = undefined;
          void this.check(id);
        }, this.deps.checkMs ?? 50);
      });
      w.watcher.on('error', () => undefined);
    } catch {
      w.watcher = undefined; // the scan retries
    }
  }

  /** Rotates the log if it is past its limit; concurrent calls share the check in flight. */
  check(id: string): Promise<void> {
    const w = this.logs.get(id);
    if (!w) return Promise.resolve();
    w.inflight ??= this.rotateIfNeeded(id, w).finally(() => (w.inflight = undefined));
    return w.inflight;
  }

  private async rotateIfNeeded(id: string, w: Watched): Promise<void> {
    try {
      const size = (await stat(w.path).catch(() => undefined))?.size ?? 0;
      if (!w.watcher) this.arm(id, w);
      if (size < w.limits.maxSizeBytes) return;
      if (this.deps.canRotate && !(await this.deps.canRotate(id))) return;
      await shiftLogFiles(w.path, w.limits.maxFiles);
      await this.deps.reopen(id);
    } catch (err) {
      this.deps.onError(err, id);
    }
  }
}
