// Opens the sink of a shipped driver (drivers/config.ts isShipped): the driver's own file for
// json-file and local, the journal or a syslog server for the others.
import type { LogEntry } from '../../types.js';
import { driverLogPath, fileLimits } from './config.js';
import { encodeJsonLine } from './json-file.js';
import { journaldSink } from './journald.js';
import { encodeLocalEntry } from './local.js';
import { RotatingFile } from './rotating-file.js';
import { expandTag, extraAttributes, type LogSink, type LogSubject } from './sink.js';
import { syslogSink } from './syslog.js';

function fileSink(file: RotatingFile, encode: (e: LogEntry) => Buffer): LogSink {
  return {
    async write(entries) {
      for (const e of entries) await file.append(encode(e));
    },
    close: () => file.close(),
  };
}

export function openSink(
  driver: string,
  opts: Record<string, string> = {},
  subject: LogSubject,
  dir: string,
): LogSink {
  const path = driverLogPath(driver, dir, subject.id);
  if (driver === 'json-file') {
    // Docker's json-file: the extra attributes, and the tag only when one was asked for.
    const attrs = extraAttributes(opts, subject);
    if (opts.tag) attrs.tag = expandTag(opts.tag, subject);
    return fileSink(new RotatingFile(path!, fileLimits(driver, opts)), (e) =>
      encodeJsonLine(e, attrs),
    );
  }
  if (driver === 'local')
    return fileSink(new RotatingFile(path!, fileLimits(driver, opts)), encodeLocalEntry);
  if (driver === 'journald') return journaldSink(subject, opts);
  if (driver === 'syslog') return syslogSink(subject, opts);
  throw new Error(`log driver ${driver} has no sink`);
}
