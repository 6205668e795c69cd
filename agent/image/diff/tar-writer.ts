// Walks a directory tree and writes it as a tar stream (tar-stream pack), parents before children,
// names sorted, hard links kept as links. In "upper" mode it turns overlayfs' markers back into
// OCI whiteouts: 0/0 character devices become `.wh.NAME`, opaque dirs get `.wh..wh..opq`.
import type { Stats } from 'node:fs';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { getXattr, OPAQUE_MARKER, OPAQUE_XATTR, WHITEOUT_PREFIX } from '../unpack/index.js';

/** Largest id that fits the ustar octal field; larger ones go into PAX records. */
const MAX_USTAR_ID = 0o7777777;

type Pack = ReturnType<typeof tar.pack>;
type HeaderArg = Parameters<Pack['entry']>[0];

export function writeTree(root: string, mode: 'upper' | 'plain'): Readable {
  const pack = tar.pack();
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
        if (st.isDirectory()) {
          await add(pack, { ...meta(st), name: childRel, type: 'directory' });
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
          await addFile(pack, { ...meta(st), name: childRel, type: 'file', size: st.size }, abs);
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
