// Docker's client-side copy rules (moby pkg/archive/copy.go): where an archive of the source is
// extracted and how its entries are renamed, from what is known of the source and destination.
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { FlotillaError } from '../errors/index.js';

export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  /** The name the source's first path element takes in the archive (a followed link's). */
  rebaseName?: string;
}

const specifiesCurrentDir = (p: string): boolean => p === '.' || p.endsWith('/.');
const assertsDirectory = (p: string): boolean => p.endsWith('/') || specifiesCurrentDir(p);

/** Docker's SplitPathDirEntry: dir and base of a cleaned path, a trailing "." kept. */
export function splitPathDirEntry(path: string): { dir: string; base: string } {
  let clean = posix.normalize(path);
  if (clean.length > 1) clean = clean.replace(/\/+$/, '');
  if (specifiesCurrentDir(path) && !clean.endsWith('/.'))
    clean = clean === '/' ? '/.' : `${clean}/.`;
  return { dir: posix.dirname(clean), base: posix.basename(clean) || '/' };
}

/** Docker's GetRebaseName: the path to ask for, and the name to give its entries back. */
export function rebaseFor(path: string, resolved: string): { path: string; rebaseName?: string } {
  let r = resolved;
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(r)) r += '/.';
  if (path.endsWith('/') && !r.endsWith('/')) r += '/';
  const base = (p: string): string => posix.basename(p.replace(/\/+$/, '')) || '/';
  return base(path) !== base(r) ? { path: r, rebaseName: base(path) } : { path: r };
}

/** Renames the first occurrence of `oldBase` in every entry name (and hard link target). */
export function rebaseArchive(src: Readable, oldBase: string, newBase: string): Readable {
  const from = oldBase === '/' ? '' : oldBase;
  const ex = tar.extract();
  const pack = tar.pack();
  src.on('error', (err) => ex.destroy(err));
  src.pipe(ex);
  ex.on('entry', (header, stream, next) => {
    header.name = header.name.replace(from, newBase);
    if (header.type === 'link' && header.linkname)
      header.linkname = header.linkname.replace(from, newBase);
    stream.pipe(pack.entry(header, next));
  });
  ex.on('finish', () => pack.finalize());
  ex.on('error', (err) => pack.destroy(err));
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}

/**
 * Docker's PrepareArchiveCopy: the directory to extract into and the archive to extract, so that
 * the copy lands at the destination's name whether or not it exists.
 */
export function prepareArchiveCopy(
  content: Readable,
  src: CopyInfo,
  dst: CopyInfo,
): { dstDir: string; content: Readable } {
  const { dir: dstDir, base: dstBase } = splitPathDirEntry(dst.path);
  const srcBase = src.rebaseName || splitPathDirEntry(src.path).base;
  if (dst.exists && dst.isDir) return { dstDir: dst.path, content };
  if (dst.exists && src.isDir)
    throw new FlotillaError('COPY_DIRECTORY_ONTO_FILE', { path: dst.path });
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path))
    throw new FlotillaError('COPY_NO_SUCH_DIRECTORY', { path: dst.path });
  return { dstDir, content: rebaseArchive(content, srcBase, dstBase) };
}
