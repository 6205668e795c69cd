// Docker's journald driver: each line is one entry sent over the journal's native protocol
// (a datagram of KEY=value fields to /run/systemd/journal/socket), with Docker's fields:
// MESSAGE, CONTAINER_ID, CONTAINER_ID_FULL, CONTAINER_NAME, CONTAINER_TAG, IMAGE_NAME,
// SYSLOG_IDENTIFIER, PRIORITY (6 stdout, 3 stderr) and CONTAINER_PARTIAL_MESSAGE.
import { existsSync } from 'node:fs';
import { FlotillaError } from '../../../../shared/errors/index.js';
import type { LogEntry } from '../../types.js';
import { expandTag, extraAttributes, lineText, type LogSink, type LogSubject } from './sink.js';
import { UnixDatagramSender } from './unix-datagram.js';

export const defaultJournalSocket = '/run/systemd/journal/socket';

/** The journal's socket: FLOTILLA_JOURNAL_SOCKET (tests point it at their own listener), else systemd's. */
export function journalSocket(env: NodeJS.ProcessEnv = process.env): string {
  return env.FLOTILLA_JOURNAL_SOCKET || defaultJournalSocket;
}

/** journald must be listening when a container is created with it, as Docker checks. */
export function checkJournald(socket = journalSocket()): void {
  if (!existsSync(socket))
    throw new FlotillaError('LOG_DRIVER_UNAVAILABLE', {
      driver: 'journald',
      reason: `${socket} does not exist (systemd-journald is not running)`,
    });
}

/** Docker's sanitizeKeyMod: a journal field name (A-Z, 0-9, _) from a label or variable name. */
export function journalKey(name: string): string {
  let out = '';
  for (const ch of name) {
    const c = /[a-z]/.test(ch) ? ch.toUpperCase() : /[A-Z0-9]/.test(ch) ? ch : '_';
    if (!(out === '' && c === '_')) out += c;
  }
  return out;
}

/**
 * The extra fields Docker's journald driver writes with each entry (`--log-opt labels/env`), by
 * their journal names: what Docker's journal reader returns as the entry's attributes
 * (`logs --details`), so the agent's cache reader attaches the same.
 */
export function journalAttrs(
  opts: Record<string, string> = {},
  s: Pick<LogSubject, 'labels' | 'env'>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const extra = extraAttributes(opts, s as LogSubject);
  for (const [k, v] of Object.entries(extra)) out[journalKey(k)] = v;
  return out;
}

/** One field of the native protocol; a value with a newline takes the binary form. */
function journalField(key: string, value: string): Buffer {
  const v = Buffer.from(value);
  if (!v.includes(0x0a)) return Buffer.from(`${key}=${value}\n`);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(v.length));
  return Buffer.concat([Buffer.from(`${key}\n`), len, v, Buffer.from('\n')]);
}

export function encodeJournalEntry(
  e: LogEntry,
  s: LogSubject,
  tag: string,
  attrs: Record<string, string> = {},
): Buffer {
  const partial = !e.data.subarray(-1).equals(Buffer.from('\n'));
  const fields: [string, string][] = [
    ['MESSAGE', lineText(e)],
    ['CONTAINER_ID', s.id.slice(0, 12)],
    ['CONTAINER_ID_FULL', s.id],
    ['CONTAINER_NAME', s.name],
    ['CONTAINER_TAG', tag],
    ['IMAGE_NAME', s.imageName],
    ['SYSLOG_IDENTIFIER', tag],
    ['PRIORITY', e.stream === 'stderr' ? '3' : '6'],
  ];
  if (partial) fields.push(['CONTAINER_PARTIAL_MESSAGE', 'true']);
  fields.push(...Object.entries(attrs));
  return Buffer.concat(fields.map(([k, v]) => journalField(k, v)));
}

export function journaldSink(
  s: LogSubject,
  opts: Record<string, string>,
  socket = journalSocket(),
): LogSink {
  const sender = new UnixDatagramSender(socket);
  const tag = expandTag(opts.tag, s);
  const attrs = journalAttrs(opts, s);
  return {
    async write(entries) {
      for (const e of entries) await sender.send(encodeJournalEntry(e, s, tag, attrs));
    },
    async close() {
      await sender.close();
    },
  };
}
