// Walks a directory tree and writes it as a tar stream (tar-stream pack), parents before children,
// names sorted, hard links kept as links. In "upper" mode it turns overlayfs' markers back into
// OCI whiteouts: 0/0 character devices become `.wh.NAME`, opaque dirs get `.wh..wh..opq`.
import type { Stats } from 'node:fs';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import {
  getXattr,
  listXattrs,
  OPAQUE_MARKER,
  OPAQUE_XATTR,
  WHITEOUT_PREFIX,
} from '../unpack/index.js';

/** Largest id that fits the ustar octal field; larger ones go into PAX records. */
const MAX_USTAR_ID = 0o7777777;

type Pack = ReturnType<typeof tar.pack>;
type HeaderArg = Parameters<Pack['entry']>[0];

export function writeTree(root: string, mode: 'upper' | 'plain'): Readable {
  const pack = tar.pack();
  installRawPax(pack);
  const walk = async (): Promise<void> => {
    const links = new Map<string, string>();
    const visit = async (rel: string): Promise<void> => {
      const names = (await readdir(rel ? posix.join(root, rel) : root)).sort();
      for (const name of names) {
        const childRel = rel ? `${rel}/${name}` : name;
        const abs = posix.join(root, childRel);
        const st = await lstat(abs);
        if (mode === 'upper' && st.isCharacterDevice() && st.rdev === 0) {
          await add(
            pack,
            { ...meta(st), name: whiteoutName(rel, name), type: 'file', size: 0 },
            Buffer.alloc(0),
          );
          continue;
        }
        const xattrs = await carriedXattrs(abs);
        if (st.isDirectory()) {
          await add(pack, withXattrs({ ...meta(st), name: childRel, type: 'directory' }, xattrs));
          if (mode === 'upper' && (await getXattr(abs, OPAQUE_XATTR))?.toString() === 'y') {
            await add(
              pack,
              {
                ...meta(st),
                name: `${childRel}/${OPAQUE_MARKER}`,
                type: 'file',
                mode: 0o644,
                size: 0,
              },
              Buffer.alloc(0),
            );
          }
          await visit(childRel);
        } else if (st.isFile()) {
          const key = `${st.dev}:${st.ino}`;
          const first = st.nlink > 1 ? links.get(key) : undefined;
          if (first) {
            await add(pack, {
              ...meta(st),
              name: childRel,
              type: 'link',
              linkname: first,
              size: 0,
            });
            continue;
          }
          if (st.nlink > 1) links.set(key, childRel);
          await addFile(
            pack,
            withXattrs({ ...meta(st), name: childRel, type: 'file', size: st.size }, xattrs),
            abs,
          );
        } else if (st.isSymbolicLink()) {
          await add(pack, {
            ...meta(st),
            name: childRel,
            type: 'symlink',
            linkname: await readlink(abs),
          });
        } else if (st.isCharacterDevice() || st.isBlockDevice()) {
          await add(pack, {
            ...meta(st),
            name: childRel,
            type: st.isCharacterDevice() ? 'character-device' : 'block-device',
            devmajor: (st.rdev >> 8) & 0xfff,
            devminor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00),
          });
        } else if (st.isFIFO()) {
          await add(pack, { ...meta(st), name: childRel, type: 'fifo' });
        }
        // Sockets are not carried in layers (Docker skips them too).
      }
    };
    await visit('');
    pack.finalize();
  };
  walk().catch((err: unknown) => pack.destroy(err as Error));
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}

/**
 * Xattrs a layer carries: user.* and security.* (file capabilities), never trusted.* (overlay's
 * own metadata) or security.selinux (labels belong to the host that runs the container).
 */
async function carriedXattrs(abs: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const name of await listXattrs(abs)) {
    if (name.startsWith('trusted.') || name === 'security.selinux') continue;
    const value = await getXattr(abs, name);
    if (value) out.set(name, value);
  }
  return out;
}

/** One PAX record: "<len> <key>=<value>\n", where len counts the whole record in bytes. */
function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

const RAW_PAX = Symbol('rawPax');

/** Marks an entry's xattrs for the raw PAX encoder installed by installRawPax. */
function withXattrs(header: HeaderArg, xattrs: Map<string, Buffer>): HeaderArg {
  if (xattrs.size === 0) return header;
  const raw = new Map<string, Buffer>();
  for (const [name, value] of xattrs) raw.set(`SCHILY.xattr.${name}`, value);
  const pax: Record<string, string> = {
    ...((header as { pax?: Record<string, string> }).pax ?? {}),
  };
  // Placeholders of the same byte length: tar-stream sizes the PAX header from them, and the
  // encoder below swaps the raw bytes in.
  for (const [key, value] of raw) pax[key] = 'x'.repeat(value.length);
  return Object.assign({ ...header, pax }, { [RAW_PAX]: raw });
}

/**
 * tar-stream encodes PAX values as UTF-8 text, which corrupts binary xattrs (security.capability).
 * Wrap its private PAX encoder (the version is pinned) so the records of an entry marked by
 * withXattrs carry the raw bytes.
 */
function installRawPax(pack: Pack): void {
  const inner = pack as unknown as {
    _encodePax(header: Record<string | symbol, unknown>): void;
    push(buf: Buffer): boolean;
  };
  const orig = inner._encodePax;
  inner._encodePax = function (this: typeof inner, header) {
    const raw = header[RAW_PAX] as Map<string, Buffer> | undefined;
    if (!raw) return orig.call(this, header);
    const records: Buffer[] = [];
    if (header.name) records.push(paxRecord('path', Buffer.from(String(header.name))));
    if (header.linkname) records.push(paxRecord('linkpath', Buffer.from(String(header.linkname))));
    for (const [k, v] of Object.entries(header.pax as Record<string, string>)) {
      records.push(paxRecord(k, raw.get(k) ?? Buffer.from(v)));
    }
    const body = Buffer.concat(records);
    const push = this.push;
    let pushes = 0;
    this.push = function (this: typeof inner, buf: Buffer) {
      // Second push is the PAX body (first is its ustar header, third the entry's header).
      if (++pushes === 2) {
        if (buf.length !== body.length) throw new Error('raw PAX body length mismatch');
        return push.call(this, body);
      }
      return push.call(this, buf);
    };
    try {
      orig.call(this, header);
    } finally {
      this.push = push;
    }
  };
}

function whiteoutName(rel: string, name: string): string {
  return rel ? `${rel}/${WHITEOUT_PREFIX}${name}` : `${WHITEOUT_PREFIX}${name}`;
}

function meta(st: Stats): Omit<HeaderArg, 'name'> {
  const pax: Record<string, string> = {};
  if (st.uid > MAX_USTAR_ID) pax.uid = String(st.uid);
  if (st.gid > MAX_USTAR_ID) pax.gid = String(st.gid);
  return {
    mode: st.mode & 0o7777,
    uid: Math.min(st.uid, MAX_USTAR_ID),
    gid: Math.min(st.gid, MAX_USTAR_ID),
    mtime: st.mtime,
    ...(Object.keys(pax).length ? { pax } : {}),
  };
}

function add(pack: Pack, header: HeaderArg, content?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (err?: Error | null) => (err ? reject(err) : resolve());
    if (content) pack.entry(header, content, cb);
    else pack.entry(header, cb);
  });
}

async function addFile(pack: Pack, header: HeaderArg, abs: string): Promise<void> {
  let sink!: ReturnType<Pack['entry']>;
  const done = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
  });
  for await (const chunk of createReadStream(abs, { highWaterMark: 256 * 1024 })) {
    if (!sink.write(chunk as Buffer)) {
      await new Promise<void>((resolve) => {
        (sink as unknown as NodeJS.EventEmitter).once('drain', () => resolve());
      });
    }
  }
  (sink as unknown as { end(): void }).end();
  await done;
}
