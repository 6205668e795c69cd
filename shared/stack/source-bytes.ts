// Reads one stack file's bytes with a size cap (never more than the cap into memory, even from a
// pipe or device) and refuses, with a position, what YAML text must not hold: invalid UTF-8, NUL
// bytes. Parsing (and refusing an empty document) is left to source.ts.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FlotillaError } from '../errors/index.js';
import type { Problems } from './problems.js';

/** Largest stack file read: real ones stay under 100 KiB; the cap bounds parse time and memory. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** The file's text, or undefined after adding a problem; throws for unreadable or huge files. */
export function readStackText(
  name: string,
  path: string,
  problems: Problems,
  maxBytes = MAX_FILE_BYTES,
): string | undefined {
  const bytes = readCapped(name, path, maxBytes);
  return decodeStackText(name, bytes, problems);
}

function readCapped(name: string, path: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new FlotillaError('STACK_FILE_UNREADABLE', {
      file: name,
      reason: e.code === 'ENOENT' ? 'no such file' : e.message,
    });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory())
      throw new FlotillaError('STACK_FILE_UNREADABLE', { file: name, reason: 'is a directory' });
    if (st.size > maxBytes) tooLarge(name, st.size, maxBytes);
    // A pipe or device reports no size: read at most one byte past the cap.
    const buf = Buffer.alloc(Math.min(maxBytes + 1, st.isFile() ? st.size + 1 : maxBytes + 1));
    let len = 0;
    for (;;) {
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
      if (len > maxBytes) tooLarge(name, len, maxBytes, true);
      if (len === buf.length) break;
    }
    return buf.subarray(0, len);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(file: string, size: number, limit: number, atLeast = false): never {
  throw new FlotillaError('STACK_FILE_TOO_LARGE', {
    file,
    size: atLeast ? `more than ${limit}` : String(size),
    limit,
  });
}

/** UTF-8 text of a stack file, or undefined with a positioned problem. */
export function decodeStackText(
  name: string,
  bytes: Buffer,
  problems: Problems,
): string | undefined {
  const bad = firstBadByte(bytes);
  if (bad) {
    const { line, column } = lineColumn(bytes, bad.offset);
    problems.add({ file: name, line, column }, '', bad.what);
    return undefined;
  }
  return bytes.toString('utf8');
}

/** The first NUL byte or invalid UTF-8 sequence (overlong, surrogate, truncated, > U+10FFFF). */
function firstBadByte(b: Buffer): { offset: number; what: string } | undefined {
  for (let i = 0; i < b.length;) {
    const c = b[i];
    if (c === 0) return { offset: i, what: 'NUL byte (a stack file is text)' };
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [need, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [need, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [need, min] = [3, 0x10000];
    else return invalid(i, c);
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return invalid(i, c);
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return invalid(i, c);
    i += need + 1;
  }
  return undefined;
}

const invalid = (offset: number, byte: number) => ({
  offset,
  what: `invalid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')}); save the file as UTF-8`,
});

function lineColumn(b: Buffer, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) if (b[i] === 0x0a) [line, start] = [line + 1, i + 1];
  // Columns count characters, as the YAML positions do.
  return { line, column: b.subarray(start, offset).toString('utf8').length + 1 };
}
