// tar-stream decodes PAX values as UTF-8, which corrupts binary xattrs such as security.capability.
// This reads `SCHILY.xattr.*` records from the raw PAX header bytes instead.

const XATTR_PREFIX = 'SCHILY.xattr.';

/** Parses "<len> <key>=<value>\n" records, keeping xattr values as raw bytes. */
export function parsePaxXattrs(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off < buf.length) {
    const sp = buf.indexOf(0x20, off);
    if (sp < 0) break;
    const len = parseInt(buf.subarray(off, sp).toString('latin1'), 10);
    if (!Number.isFinite(len) || len <= 0 || off + len > buf.length) break;
    const rec = buf.subarray(sp + 1, off + len - 1); // without the trailing newline
    const eq = rec.indexOf(0x3d);
    if (eq > 0) {
      const key = rec.subarray(0, eq).toString('utf8');
      if (key.startsWith(XATTR_PREFIX))
        out.set(key.slice(XATTR_PREFIX.length), Buffer.from(rec.subarray(eq + 1)));
    }
    off += len;
  }
  return out;
}
