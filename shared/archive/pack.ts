// Writes one path of a view (a file, or a directory and everything under it, across the view's
// mounts) as a tar stream whose entries start with the name the client asked for, as Docker's
// TarResourceRebase does. Symlinks are archived as links, never followed.
import { constants, createReadStream, type Stats } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { FsView } from './fs-view.js';
import { lstatIn, pin, readlinkIn } from './fs-view.js';

type Pack = ReturnType<typeof tar.pack>;
type Header = Parameters<Pack['entry']>[0];

/** Largest id that fits the ustar octal field; larger ones go into PAX records. */
const MAX_USTAR_ID = 0o7777777;

export interface PackOptions {
  /** Owner written in every header: the files' own (undefined), or e.g. root's (0:0). */
  owner?: { uid: number; gid: number };
}

function childName(name: string, child: string): string {
  if (name === '/') return `/${child}`;
  return `${name.replace(/\/+$/, '')}/${child}`;
}

function meta(st: Stats, opts: PackOptions): Omit<Header, 'name'> {
  const uid = opts.owner?.uid ?? st.uid;
  const gid = opts.owner?.gid ?? st.gid;
  const pax: Record<string, string> = {};
  if (uid > MAX_USTAR_ID) pax.uid = String(uid);
  if (gid > MAX_USTAR_ID) pax.gid = String(gid);
  return {
    mode: st.mode & 0o7777,
    uid: Math.min(uid, MAX_USTAR_ID),
    gid: Math.min(gid, MAX_USTAR_ID),
    mtime: st.mtime,
    ...(Object.keys(pax).length ? { pax } : {}),
  };
}

function add(pack: Pack, header: Header, body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pack.destroyed) return reject(new Error('archive closed'));
    pack.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}

async function addFile(
  pack: Pack,
  header: Header,
  view: FsView,
  at: string,
  size: number,
): Promise<void> {
  if (size === 0) return add(pack, header);
  if (pack.destroyed) throw new Error('archive closed');
  const file = await pin(view, at);
  if (!file) return add(pack, { ...header, size: 0 }); // removed since its lstat
  // Never read through a link put there since: a pinned handle to a symlink fails to open (ELOOP),
  // a host path has O_NOFOLLOW (which a handle's magic link would refuse). O_NONBLOCK: nor hang
  // on a fifo swapped in.
  const follow = view.handles ? 0 : constants.O_NOFOLLOW;
  const fh = await open(file.path, constants.O_RDONLY | constants.O_NONBLOCK | follow).finally(() =>
    file.release(),
  );
  try {
    if (!(await fh.stat()).isFile()) throw new Error(`${at}: replaced while archived`);
    let entry!: ReturnType<Pack['entry']>;
    const written = new Promise<void>((resolve, reject) => {
      entry = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    });
    // Observed below, or abandoned when the pipe fails first (a client that went away): never an
    // unhandled rejection, which would end the agent.
    written.catch(() => undefined);
    await pipeline(
      createReadStream('', { fd: fh.fd, autoClose: false, start: 0, end: size - 1 }),
      entry,
    );
    await written;
  } finally {
    await fh.close();
  }
}

/**
 * A tar of the view path `path` (resolved, not followed) with its entries named `name`,
 * `name/child`, … (`.` gives `./child`, Docker's form for "the contents of").
 */
export function packPath(
  view: FsView,
  path: string,
  name: string,
  opts: PackOptions = {},
): Readable {
  const pack = tar.pack();
  // A client that goes away destroys the stream mid-walk; the walk's own error ends it quietly.
  pack.on('error', () => undefined);
  const links = new Map<string, string>();
  const visit = async (at: string, entryName: string): Promise<void> => {
    const st = await lstatIn(view, at);
    if (!st) return; // removed while the walk ran
    const m = meta(st, opts);
    if (st.isDirectory()) {
      // Docker's directory entries end in "/".
      const dirName = entryName.endsWith('/') ? entryName : `${entryName}/`;
      await add(pack, { ...m, name: dirName, type: 'directory' });
      const dir = await pin(view, at);
      if (!dir) return;
      const children = await readdir(dir.path).finally(() => dir.release());
      for (const child of children.sort())
        await visit(at === '/' ? `/${child}` : `${at}/${child}`, childName(entryName, child));
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? links.get(key) : undefined;
      if (first) {
        await add(pack, { ...m, name: entryName, type: 'link', linkname: first, size: 0 });
        return;
      }
      if (st.nlink > 1) links.set(key, entryName);
      await addFile(
        pack,
        { ...m, name: entryName, type: 'file', size: st.size },
        view,
        at,
        st.size,
      );
    } else if (st.isSymbolicLink()) {
      await add(pack, {
        ...m,
        name: entryName,
        type: 'symlink',
        linkname: await readlinkIn(view, at),
      });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      await add(pack, {
        ...m,
        name: entryName,
        type: st.isCharacterDevice() ? 'character-device' : 'block-device',
        devmajor: (st.rdev >> 8) & 0xfff,
        devminor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00),
      });
    } else if (st.isFIFO()) {
      await add(pack, { ...m, name: entryName, type: 'fifo' });
    }
    // Sockets are left out, as Docker's archive does.
  };
  visit(path, name)
    .then(() => pack.finalize())
    .catch((err: unknown) => pack.destroy(err as Error));
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}
