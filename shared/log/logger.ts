// One root pino logger per process; components take children (see STYLE.md, Logging).
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export interface LoggerOptions {
  proc: 'agent' | 'manager' | 'cli' | 'test' | 'bench';
  /** @default FLOTILLA_LOG_LEVEL or 'info' */
  level?: LevelWithSilent;
  /** Extra base fields, e.g. nodeId. */
  base?: Record<string, unknown>;
  /** Destination file descriptor or path. @default stderr (2) */
  destination?: number | string;
}

export function createLogger(opts: LoggerOptions): Logger {
  const level =
    (opts.level ?? (process.env.FLOTILLA_LOG_LEVEL as LevelWithSilent) ?? 'info') || 'info';
  return pino(
    {
      level,
      base: { proc: opts.proc, pid: process.pid, ...opts.base },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ dest: opts.destination ?? 2, sync: false }),
  );
}

/** A logger that drops everything: for unit tests and for CLI code paths without --debug. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
