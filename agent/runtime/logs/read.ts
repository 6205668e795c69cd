// `logs` by driver: json-file and local from their own files, k8s-file from conmon's file, and
// journald/syslog from the spool they keep as Docker's dual-logging cache (journald's entries with
// the attributes Docker's journal reader returns). `none`, and a driver
// whose cache is disabled, cannot be read: refused with Docker's message.
import { FlotillaError } from '../../../shared/errors/index.js';
import type { ContainerRecord } from '../container/record.js';
import type { LogEntry, LogOptions } from '../types.js';
import { driverLogPath, hasReadCache } from './drivers/config.js';
import { jsonFileDecoder } from './drivers/json-file.js';
import { journalAttrs } from './drivers/journald.js';
import { localDecoder } from './drivers/local.js';
import { followLog } from './follow.js';
import { readLog } from './k8s-file.js';

/**
 * Docker reads a journald container's log from the journal, whose entries carry the extra fields
 * (`logs --details`); the cache holds the same lines, and the fields follow from the container's
 * labels and environment, fixed at create.
 */
function journaldReadAttrs(rec: ContainerRecord): Record<string, string> {
  return journalAttrs(rec.options.logOpts, { labels: rec.config.Labels, env: rec.config.Env });
}

async function* withAttrs(
  entries: AsyncGenerator<LogEntry>,
  attrs: Record<string, string>,
): AsyncGenerator<LogEntry> {
  if (Object.keys(attrs).length === 0) return yield* entries;
  for await (const e of entries) yield { ...e, attrs };
}

/** Throws LOG_READ_UNSUPPORTED at once (before any output) for a driver that cannot be read. */
export function readContainerLog(
  rec: ContainerRecord,
  dir: string,
  o: LogOptions,
  isDone: () => boolean,
): AsyncGenerator<LogEntry> {
  const driver = rec.options.logDriver ?? 'k8s-file';
  if (driver === 'json-file')
    return followLog(driverLogPath(driver, dir, rec.id)!, jsonFileDecoder, o, isDone);
  if (driver === 'local')
    return followLog(driverLogPath(driver, dir, rec.id)!, localDecoder, o, isDone);
  if (driver === 'journald' && hasReadCache(driver, rec.options.logOpts))
    return withAttrs(readLog(rec.logPath, o, isDone), journaldReadAttrs(rec));
  if (driver === 'k8s-file' || hasReadCache(driver, rec.options.logOpts))
    return readLog(rec.logPath, o, isDone);
  throw new FlotillaError('LOG_READ_UNSUPPORTED', { id: rec.name, driver });
}
