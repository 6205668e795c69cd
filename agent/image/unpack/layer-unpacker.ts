// Writes the entries of one layer tar into a private directory. The filesystem calls are
// synchronous on purpose: a layer is mostly small files, and one threadpool round-trip per
// syscall (open, write, close, chown, chmod, utimes: ~7 per file) cost ~2.5 ms per file on a busy
// host, against tens of microseconds for the calls themselves. Callers run this off the agent's
// main thread (extract-worker.ts) so the blocking never stalls the API. Path safety lives in
// safe-path.ts; stream plumbing, hashing and decompression in extract-layer.ts.
import { constants, type Stats } from 'node:fs';
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { posix } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';
import {
  checkParentsSync,
  lstatNoFollowSync,
  normalizeEntryName,
  UnsafePathError,
} from './safe-path.js';
import { NodeMaker } from './node-maker.js';
import { OPAQUE_XATTR, setXattrSync } from './special-files.js';
import { parseWhiteout } from './whiteout.js';

export type EntryStream = AsyncIterable<Buffer> & { resume(): unknown };

export type Header = {
  name: string;
  type: string;
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  linkname?: string | null;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, string> | null;
};

const MAX_DEV_MAJOR = 0xfff;
const MAX_DEV_MINOR = 0xfffff;
const FILE_FLAGS = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW;

export class LayerUnpacker {
  sizeBytes = 0;
  /**
   * Directory mtimes, applied after the last entry (writing into a dir changes its mtime). A path
   * replaced later in the layer is dropped by remove(), and finish() applies each time only to a
   * real directory reached through real directories: a symlink planted over `a/` never redirects
   * the deferred times of `a` or `a/b` to a host directory.
   */
  private readonly dirTimes = new Map<string, Date>();
  /**
   * Directories of this layer already checked to be real directories (not symlinks). Sound
   * because the layer dir is private while it is extracted: only this unpacker changes it, and
   * every replacement of a path goes through remove(), which forgets the dirs under it.
   */
  private readonly knownDirs = new Set<string>();
  /** Parents created implicitly (not in the tar): they take the lower layer's metadata in finish(). */
  private readonly implicitDirs = new Set<string>();
  readonly nodes = new NodeMaker();

  /**
   * @param lowerDirs unpacked lower layers, top first; asked for only in finish(), so a layer can
   *   be extracted while its parent is still being extracted.
   */
  constructor(
    private readonly dest: string,
    private readonly layer: string,
    private readonly lowerDirs: () => Promise<string[]>,
  ) {}

  async entry(h: Header, stream: EntryStream, rawXattrs: Map<string, Buffer> | undefined) {
    let name: string;
    try {
      name = normalizeEntryName(h.name);
    } catch (err) {
      if (
        h.type === 'directory' &&
        err instanceof UnsafePathError &&
        err.reason === 'names the layer root'
      ) {
        this.applyMeta(this.dest, '.', h, rawXattrs, true);
        return;
      }
      throw err;
    }
    const base = posix.basename(name);
    const dirRel = posix.dirname(name);
    const wh = parseWhiteout(base);
    if (wh.kind === 'invalid') throw new UnsafePathError(h.name, wh.reason);
    if (wh.kind === 'meta') return;
    if (wh.kind === 'opaque') {
      const dirAbs = dirRel === '.' ? this.dest : this.ensureDir(dirRel, h.name);
      setXattrSync(dirAbs, OPAQUE_XATTR, 'y');
      return;
    }
    if (wh.kind === 'whiteout') {
      const target = dirRel === '.' ? wh.target : `${dirRel}/${wh.target}`;
      this.ensureParents(target, h.name);
      const abs = posix.join(this.dest, target);
      this.remove(target);
      await this.nodes.mknod(abs, 'c', 0, 0);
      lchownSync(abs, ownerOf(h).uid, ownerOf(h).gid);
      lutimesSync(abs, mtimeOf(h), mtimeOf(h));
      return;
    }

    this.ensureParents(name, h.name);
    const abs = posix.join(this.dest, name);
    switch (h.type) {
      case 'file':
      case 'contiguous-file':
        await this.writeFile(abs, name, h, stream, rawXattrs);
        return;
      case 'directory':
        // mkdir or merge with a directory of this layer; anything else there is replaced.
        this.create(name, () => mkdirSync(abs, 0o700), true);
        this.implicitDirs.delete(name);
        break;
      case 'symlink':
        this.create(name, () => symlinkSync(h.linkname ?? '', abs));
        break;
      case 'link':
        this.hardlink(h, name, abs);
        return; // a hard link shares the target's inode and metadata
      case 'character-device':
      case 'block-device': {
        const major = h.devmajor ?? 0;
        const minor = h.devminor ?? 0;
        if (major < 0 || major > MAX_DEV_MAJOR || minor < 0 || minor > MAX_DEV_MINOR) {
          throw new UnsafePathError(h.name, `device number ${major}:${minor} out of range`);
        }
        this.removeExisting(name, abs);
        await this.nodes.mknod(abs, h.type === 'character-device' ? 'c' : 'b', major, minor);
        break;
      }
      case 'fifo':
        this.removeExisting(name, abs);
        await this.nodes.mknod(abs, 'p');
        break;
      default:
        throw new FlotillaError('LAYER_INVALID', {
          layer: this.layer,
          image: '',
          reason: `entry "${h.name}" has unsupported type ${String(h.type)}`,
        });
    }
    this.applyMeta(abs, name, h, rawXattrs, h.type === 'directory');
  }

  /**
   * Runs `make` (which creates `name` exclusively); when something is already there, removes it
   * and tries once more, except that a directory over a directory merges. Returns false on merge.
   */
  private create(name: string, make: () => void, isDir = false): boolean {
    try {
      make();
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const abs = posix.join(this.dest, name);
    if (isDir && lstatSync(abs).isDirectory()) return false;
    this.remove(name);
    make();
    return true;
  }

  private removeExisting(name: string, abs: string): void {
    if (lstatSync(abs, { throwIfNoEntry: false })) this.remove(name);
  }

  // Content first, then metadata through the descriptor: a write after setxattr would drop
  // security.capability, and chown before chmod keeps setuid/setgid. The fd names the inode we
  // created (O_EXCL|O_NOFOLLOW), so no path is resolved again.
  private async writeFile(
    abs: string,
    name: string,
    h: Header,
    stream: EntryStream,
    rawXattrs: Map<string, Buffer> | undefined,
  ): Promise<void> {
    let fd = -1;
    this.create(name, () => (fd = openSync(abs, FILE_FLAGS, 0o600)));
    try {
      for await (const chunk of stream) {
        let off = 0;
        while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      }
      const { uid, gid } = ownerOf(h);
      fchownSync(fd, uid, gid);
      fchmodSync(fd, (h.mode ?? 0o644) & 0o7777);
      this.applyXattrs(abs, h, rawXattrs);
      const mtime = mtimeOf(h);
      futimesSync(fd, mtime, mtime);
    } finally {
      closeSync(fd);
    }
    this.sizeBytes += h.size ?? 0;
  }

  private hardlink(h: Header, name: string, abs: string): void {
    const linkname = h.linkname ?? '';
    let target: string;
    try {
      target = normalizeEntryName(linkname);
    } catch (err) {
      throw new UnsafePathError(
        h.name,
        `hard link target "${linkname}" is outside the layer (${(err as UnsafePathError).reason ?? err})`,
      );
    }
    try {
      checkParentsSync(this.dest, target, h.name);
    } catch (err) {
      throw new UnsafePathError(
        h.name,
        `hard link target "${linkname}" is unsafe: ${(err as UnsafePathError).reason}`,
      );
    }
    const targetAbs = posix.join(this.dest, target);
    const st = lstatSync(targetAbs, { throwIfNoEntry: false });
    if (!st) {
      throw new FlotillaError('LAYER_INVALID', {
        layer: this.layer,
        image: '',
        reason: `hard link "${h.name}" points to "${linkname}", which is not in this layer`,
      });
    }
    if (st.isDirectory())
      throw new UnsafePathError(h.name, `hard link target "${linkname}" is a directory`);
    // linkat without AT_SYMLINK_FOLLOW: a link to a symlink links the symlink itself.
    this.create(name, () => linkSync(targetAbs, abs));
  }

  private applyMeta(
    abs: string,
    rel: string,
    h: Header,
    rawXattrs: Map<string, Buffer> | undefined,
    isDir: boolean,
  ): void {
    const { uid, gid } = ownerOf(h);
    // chown first: it clears setuid/setgid, which chmod then sets.
    lchownSync(abs, uid, gid);
    if (h.type !== 'symlink') chmodSync(abs, (h.mode ?? (isDir ? 0o755 : 0o644)) & 0o7777);
    this.applyXattrs(abs, h, rawXattrs);
    const mtime = mtimeOf(h);
    if (isDir) this.dirTimes.set(rel, mtime);
    else lutimesSync(abs, mtime, mtime);
  }

  private applyXattrs(abs: string, h: Header, rawXattrs: Map<string, Buffer> | undefined): void {
    for (const [name, value] of xattrsOf(h, rawXattrs)) {
      if (name.startsWith('trusted.')) {
        throw new UnsafePathError(
          h.name,
          `carries the xattr ${name} (trusted.* could forge overlay metadata)`,
        );
      }
      try {
        setXattrSync(abs, name, value);
      } catch (err) {
        const msg = String((err as Error).message);
        if (!/not supported|Operation not permitted|ENOTSUP|EPERM/i.test(msg)) throw err;
      }
    }
  }

  /** Creates missing ancestors of `rel` (exclusive); their metadata is settled in finish(). */
  private ensureParents(rel: string, entry: string): void {
    const parent = posix.dirname(rel);
    if (parent === '.' || this.knownDirs.has(parent)) return;
    const parts = rel.split('/');
    const first = checkParentsSync(this.dest, rel, entry);
    for (let i = 0; i < parts.length - 1; i++) this.knownDirs.add(parts.slice(0, i + 1).join('/'));
    for (let i = first; i < parts.length - 1; i++) {
      const dirRel = parts.slice(0, i + 1).join('/');
      mkdirSync(posix.join(this.dest, dirRel), 0o755);
      this.implicitDirs.add(dirRel);
    }
  }

  /** Removes an entry written earlier in this layer, forgetting the directories under it. */
  private remove(rel: string): void {
    rmSync(posix.join(this.dest, rel), { recursive: true, force: true });
    for (const d of this.knownDirs)
      if (d === rel || d.startsWith(`${rel}/`)) this.knownDirs.delete(d);
    for (const d of this.implicitDirs)
      if (d === rel || d.startsWith(`${rel}/`)) this.implicitDirs.delete(d);
    for (const d of this.dirTimes.keys())
      if (d === rel || d.startsWith(`${rel}/`)) this.dirTimes.delete(d);
  }

  private ensureDir(rel: string, entry: string): string {
    this.ensureParents(`${rel}/x`, entry);
    return posix.join(this.dest, rel);
  }

  /**
   * Gives implicit parents the mode, owner and mtime of the same dir in the nearest lower layer
   * (so /tmp stays 1777), then sets directory mtimes. Waits for the lower layers to be complete.
   */
  async finish(): Promise<void> {
    if (this.implicitDirs.size > 0) {
      const lowers = await this.lowerDirs();
      for (const rel of this.implicitDirs) {
        const lower = lowerDir(lowers, rel);
        if (!lower || !this.isRealDir(rel)) continue;
        const abs = posix.join(this.dest, rel);
        lchownSync(abs, lower.uid, lower.gid);
        chmodSync(abs, lower.mode & 0o7777);
        if (!this.dirTimes.has(rel)) this.dirTimes.set(rel, lower.mtime);
      }
    }
    // Deepest first, so setting a child's time never disturbs its parent's.
    const dirs = [...this.dirTimes.entries()].sort((a, b) => depth(b[0]) - depth(a[0]));
    for (const [rel, mtime] of dirs) {
      if (rel === '.') lutimesSync(this.dest, mtime, mtime);
      else if (this.isRealDir(rel)) lutimesSync(posix.join(this.dest, rel), mtime, mtime);
    }
  }

  /** `rel` is a directory and every ancestor inside the layer is one too (no symlink on the way). */
  private isRealDir(rel: string): boolean {
    return lstatNoFollowSync(this.dest, rel)?.isDirectory() ?? false;
  }
}

/** The directory at `rel` in the nearest lower layer that has anything there. */
function lowerDir(lowers: string[], rel: string): Stats | undefined {
  for (const lower of lowers) {
    const st = lstatNoFollowSync(lower, rel);
    if (st) return st.isDirectory() ? st : undefined;
  }
  return undefined;
}

function depth(rel: string): number {
  return rel === '.' ? 0 : rel.split('/').length;
}

function ownerOf(h: Header): { uid: number; gid: number } {
  const paxUid = h.pax?.uid !== undefined ? parseInt(h.pax.uid, 10) : NaN;
  const paxGid = h.pax?.gid !== undefined ? parseInt(h.pax.gid, 10) : NaN;
  return {
    uid: Number.isSafeInteger(paxUid) && paxUid >= 0 ? paxUid : (h.uid ?? 0),
    gid: Number.isSafeInteger(paxGid) && paxGid >= 0 ? paxGid : (h.gid ?? 0),
  };
}

function mtimeOf(h: Header): Date {
  const pax = h.pax?.mtime !== undefined ? parseFloat(h.pax.mtime) : NaN;
  if (Number.isFinite(pax)) return new Date(pax * 1000);
  return h.mtime ?? new Date(0);
}

function xattrsOf(h: Header, raw: Map<string, Buffer> | undefined): Map<string, Buffer> {
  if (raw && raw.size > 0) return raw;
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(h.pax ?? {})) {
    if (k.startsWith('SCHILY.xattr.'))
      out.set(k.slice('SCHILY.xattr.'.length), Buffer.from(String(v), 'utf8'));
  }
  return out;
}
