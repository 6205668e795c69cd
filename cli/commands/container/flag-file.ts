// What `run`/`create` flags share when they refuse a value or read a file a flag names
// (--env-file, --label-file): one flag error naming the flag, the value and why, never a stack trace.
import { readFileSync } from 'node:fs';
import { FlotillaError } from '../../../shared/errors/index.js';

/** The flag error (exit status 125) for `value` given to `flag`. */
export const invalidFlagValue = (flag: string, value: string, reason: string) =>
  new FlotillaError('INVALID_FLAG_VALUE', { flag, value, reason });

const unreadable: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
};

/** The text of the file `flag` names; a file it cannot read is a flag error saying why. */
export function readFlagFile(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw invalidFlagValue(flag, file, (code && unreadable[code]) ?? code ?? 'cannot read');
  }
}
