// Writes layer tars for the builder from planned entries (COPY/ADD, WORKDIR: names, owners and
// modes chosen by the step, bytes from wherever the source lies), and saves tar streams made by
// agent/image/diff (RUN, commit, export) to files. The diff id is computed while writing.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
type Headers = Parameters<ReturnType<typeof tar.pack>['entry']>[0];

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

/** An uncompressed layer tar on disk and the sha256 of its bytes (the layer's diff id). */
export interface WrittenLayer {
  file: string;
  diffId: string;
}

/** Saves a tar stream (e.g. agent/image/diff's diffUpper) to `file`, hashing it on the way. */
export async function saveLayerTar(tarStream: Readable, file: string): Promise<WrittenLayer> {
  const { sink, diffId } = hashingFile(file);
  await pipeline(tarStream, sink);
  return { file, diffId: diffId() };
}

function hashingFile(file: string): { sink: Writable; diffId(): string } {
  const hash = createHash('sha256');
  const out = createWriteStream(file, { mode: 0o600 });
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      out.write(chunk, cb);
    },
    final(cb) {
      out.end(cb);
    },
    destroy(err, cb) {
      out.destroy();
      cb(err);
    },
  });
  return { sink, diffId: () => `sha256:${hash.digest('hex')}` };
}

/** Writes `entries` (in order) as an uncompressed tar to `file`. */
export async function writeLayerTar(file: string, entries: PlannedEntry[]): Promise<WrittenLayer> {
  const pack = tar.pack();
  const { sink, diffId } = hashingFile(file);
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
  return { file, diffId: diffId() };
}

/**
 * Lists a directory tree (a COPY source) as planned entries named relative to `root` (optionally
 * under `prefix`), parents before children, names sorted so equal trees give equal tars. Hard
 * links within the tree stay hard links. Upper dirs with overlay whiteouts go through
 * agent/image/diff instead.
 */
export async function listTree(
  root: string,
  opts: { prefix?: string; owner?: { uid: number; gid: number } } = {},
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
      if (st.isDirectory()) {
        out.push({ ...base, name: fullName, type: 'directory' });
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
