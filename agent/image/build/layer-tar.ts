// Writes layer tars for the builder: from a list of planned entries (COPY/ADD, WORKDIR) and from a
// container's overlay upper directory (RUN, commit), turning overlay whiteouts (0/0 character
// devices, opaque xattrs) back into `.wh.` entries. The diff id is computed while writing.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
type Headers = Parameters<ReturnType<typeof tar.pack>['entry']>[0];
import { getXattr, OPAQUE_XATTR } from '../unpack/index.js';

/** One entry of a planned layer; `source` is the host file whose bytes a regular file carries. */
export interface PlannedEntry {
  /** Path inside the image, without a leading slash; directories without a trailing slash. */
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  size?: number;
  source?: string;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

export interface WrittenLayer {
  file: string;
  diffId: string;
  sizeBytes: number;
  entries: number;
}

/** Writes `entries` (in order) as an uncompressed tar to `file`. */
export async function writeLayerTar(file: string, entries: PlannedEntry[]): Promise<WrittenLayer> {
  const pack = tar.pack();
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const out = createWriteStream(file, { mode: 0o600 });
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      out.write(chunk, cb);
    },
    final(cb) {
      out.end(cb);
    },
  });
  const done = pipeline(pack, sink);
  done.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  try {
    for (const e of entries) {
      const header: Headers = {
        name: e.type === 'directory' ? `${e.name}/` : e.name,
        type: e.type,
        mode: e.mode & 0o7777,
        uid: e.uid,
        gid: e.gid,
        mtime: e.mtime,
        uname: '',
        gname: '',
      };
      if (e.linkname !== undefined) header.linkname = e.linkname;
      if (e.devmajor !== undefined) header.devmajor = e.devmajor;
      if (e.devminor !== undefined) header.devminor = e.devminor;
      if (e.type === 'file') {
        const size = e.size ?? 0;
        header.size = size;
        sizeBytes += size;
        const written = new Promise<void>((resolve, reject) => {
          const w = pack.entry(header, (err) => (err ? reject(err) : resolve()));
          if (size === 0 || !e.source) return void w.end(Buffer.alloc(0));
          // pipeline, not pipe: an unreadable source must fail this layer, not crash the agent.
          pipeline(createReadStream(e.source, { start: 0, end: size - 1 }), w).catch(reject);
        });
        await written;
      } else {
        await new Promise<void>((resolve, reject) =>
          pack.entry(header, (err) => (err ? reject(err) : resolve())),
        );
      }
    }
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
    await done.catch(() => undefined);
    throw err;
  }
  await done;
  return { file, diffId: `sha256:${hash.digest('hex')}`, sizeBytes, entries: entries.length };
}

/**
 * Lists a directory tree as planned entries named relative to `root` (optionally under `prefix`),
 * parents before children, names sorted so equal trees give equal tars. With `whiteouts`, overlay
 * markers become OCI whiteouts: a 0/0 character device NAME → `.wh.NAME`, an opaque directory →
 * its entry plus `DIR/.wh..wh..opq`. Hard links within the tree stay hard links.
 */
export async function listTree(
  root: string,
  opts: { whiteouts?: boolean; prefix?: string; owner?: { uid: number; gid: number } } = {},
): Promise<PlannedEntry[]> {
  const out: PlannedEntry[] = [];
  const inodes = new Map<string, string>();
  const walk = async (dir: string, rel: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const n of names) {
      const abs = join(dir, n);
      const name = rel ? `${rel}/${n}` : n;
      const st = await lstat(abs);
      const own = opts.owner ?? { uid: st.uid, gid: st.gid };
      const base = { mode: st.mode, uid: own.uid, gid: own.gid, mtime: st.mtime };
      const fullName = opts.prefix ? `${opts.prefix}/${name}` : name;
      if (opts.whiteouts && st.isCharacterDevice() && st.rdev === 0) {
        const at = fullName.lastIndexOf('/');
        out.push({
          ...base,
          name: `${fullName.slice(0, at + 1)}.wh.${fullName.slice(at + 1)}`,
          type: 'file',
          mode: 0o644,
          size: 0,
        });
        continue;
      }
      if (st.isDirectory()) {
        out.push({ ...base, name: fullName, type: 'directory' });
        if (opts.whiteouts && (await isOpaque(abs)))
          out.push({
            ...base,
            name: `${fullName}/.wh..wh..opq`,
            type: 'file',
            mode: 0o644,
            size: 0,
          });
        await walk(abs, name);
      } else if (st.isSymbolicLink()) {
        out.push({ ...base, name: fullName, type: 'symlink', linkname: await readlink(abs) });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? inodes.get(key) : undefined;
        if (first) out.push({ ...base, name: fullName, type: 'link', linkname: first });
        else {
          if (st.nlink > 1) inodes.set(key, fullName);
          out.push({ ...base, name: fullName, type: 'file', size: st.size, source: abs });
        }
      } else if (st.isFIFO()) {
        out.push({ ...base, name: fullName, type: 'fifo' });
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        out.push({
          ...base,
          name: fullName,
          type: st.isCharacterDevice() ? 'character-device' : 'block-device',
          devmajor: Math.floor(st.rdev / 256) & 0xfff,
          devminor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00),
        });
      }
      // Sockets are not carried in layers (Docker drops them too).
    }
  };
  await walk(root, '');
  return out;
}

async function isOpaque(dir: string): Promise<boolean> {
  const v = await getXattr(dir, OPAQUE_XATTR);
  return v?.toString() === 'y';
}

/** A container's upper directory as a layer tar with OCI whiteouts (`docker commit`). */
export async function diffUpper(upperDir: string, file: string): Promise<WrittenLayer> {
  return writeLayerTar(file, await listTree(upperDir, { whiteouts: true }));
}

/** A whole directory as a tar, without whiteout conversion (`docker export` of a mounted rootfs). */
export async function tarDirectory(dir: string, file: string): Promise<WrittenLayer> {
  return writeLayerTar(file, await listTree(dir));
}
