// Unpacks one layer tar into an empty directory, overlay-style: whiteouts become 0/0 character
// devices, opaque markers the trusted.overlay.opaque xattr. Streams entry by entry (no layer is
// buffered), computes the diff id on the way, and refuses any entry that could write outside the
// directory. Atomic placement and keying by chain id are the layer store's job.
import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, rm, symlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { FlotillaError } from '../../../shared/errors/index.js';
import { decompressLayer, type LayerCompression } from './decompress.js';
import { parsePaxXattrs } from './pax-xattrs.js';
import { checkParents, lstatNoFollow, normalizeEntryName, UnsafePathError } from './safe-path.js';
import { NodeMaker } from './node-maker.js';
import { OPAQUE_XATTR, setXattr } from './special-files.js';
import { parseWhiteout } from './whiteout.js';

export interface UnpackOptions {
  /** Unpacked lower layers, top first: implicit parent dirs copy their metadata from these. */
  lowerDirs: string[];
  /** Names the layer in errors (its digest or chain id). */
  layer: string;
}

export interface UnpackResult {
  /** sha256 of the uncompressed tar. */
  diffId: string;
  /** Bytes of regular file content written. */
  sizeBytes: number;
  compression: LayerCompression;
}

type EntryStream = AsyncIterable<Buffer> & { resume(): unknown };

const MAX_DEV_MAJOR = 0xfff;
const MAX_DEV_MINOR = 0xfffff;

type Header = Omit<tar.Header, 'pax' | 'type'> & {
  type: string;
  pax?: Record<string, string> | null;
};

/** Unpacks `source` (gzip, zstd or plain tar) into `dest`, which must be an empty directory. */
export async function unpackLayer(
  source: Readable,
  dest: string,
  opts: UnpackOptions,
): Promise<UnpackResult> {
  const { compression, tar: plain } = await decompressLayer(source, opts.layer);
  const hash = createHash('sha256');
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const unpacker = new LayerUnpacker(dest, opts);
  const ex = tar.extract();
  hookRawPax(ex, unpacker);
  ex.on('entry', (header, stream, next) => {
    const rawXattrs = unpacker.takePendingXattrs();
    unpacker.entry(header as Header, stream as unknown as EntryStream, rawXattrs).then(
      () => {
        stream.resume();
        next();
      },
      (err: unknown) => {
        stream.resume();
        ex.destroy(err as Error);
      },
    );
  });
  try {
    // The pipeline reads the source to EOF (past the end-of-archive blocks and any padding), so
    // the diff id covers the whole stream.
    await pipeline(plain, hasher, ex);
    await unpacker.finish();
  } catch (err) {
    source.destroy();
    throw toLayerError(err, opts.layer);
  } finally {
    unpacker.nodes.close();
  }
  return { diffId: `sha256:${hash.digest('hex')}`, sizeBytes: unpacker.sizeBytes, compression };
}

/** Re-labels an unpack failure with the image name, for callers that know it. */
export function withImageName(err: unknown, imageName: string): unknown {
  if (
    err instanceof FlotillaError &&
    (err.code === 'LAYER_UNSAFE_ENTRY' || err.code === 'LAYER_INVALID')
  ) {
    return new FlotillaError(
      err.code,
      { ...err.params, image: ` of image ${imageName}` },
      { cause: err.cause },
    );
  }
  return err;
}

function toLayerError(err: unknown, layer: string): unknown {
  if (err instanceof FlotillaError) return err;
  if (err instanceof UnsafePathError) {
    return new FlotillaError('LAYER_UNSAFE_ENTRY', {
      layer,
      image: '',
      entry: err.entry,
      reason: err.reason,
    });
  }
  const reason = err instanceof Error ? err.message : String(err);
  return new FlotillaError('LAYER_INVALID', { layer, image: '', reason }, { cause: err });
}

// tar-stream keeps no raw PAX bytes; intercept its private decoder (the version is pinned) so
// binary xattr values survive. The hook runs just before the entry the header belongs to.
function hookRawPax(ex: tar.Extract, unpacker: LayerUnpacker): void {
  const inner = ex as unknown as {
    _decodeLongHeader(buf: Buffer): void;
    _header: { type?: string } | null;
  };
  const orig = inner._decodeLongHeader;
  inner._decodeLongHeader = function (this: typeof inner, buf: Buffer) {
    if (this._header?.type === 'pax-header') unpacker.setPendingXattrs(parsePaxXattrs(buf));
    orig.call(this, buf);
  };
}

class LayerUnpacker {
  sizeBytes = 0;
  private pendingXattrs: Map<string, Buffer> | undefined;
  /** Directory mtimes, applied after the last entry (writing into a dir changes its mtime). */
  private readonly dirTimes = new Map<string, Date>();
  /** Directories of this layer already checked to be real directories (not symlinks). */
  private readonly knownDirs = new Set<string>();
  readonly nodes = new NodeMaker();

  constructor(
    private readonly dest: string,
    private readonly opts: UnpackOptions,
  ) {}

  setPendingXattrs(x: Map<string, Buffer>): void {
    this.pendingXattrs = x;
  }

  takePendingXattrs(): Map<string, Buffer> | undefined {
    const x = this.pendingXattrs;
    this.pendingXattrs = undefined;
    return x;
  }

  async entry(
    h: Header,
    stream: EntryStream,
    rawXattrs: Map<string, Buffer> | undefined,
  ): Promise<void> {
    let name: string;
    try {
      name = normalizeEntryName(h.name);
    } catch (err) {
      if (
        h.type === 'directory' &&
        err instanceof UnsafePathError &&
        err.reason === 'names the layer root'
      ) {
        await this.applyMeta(this.dest, '.', h, rawXattrs, true);
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
      const dirAbs = dirRel === '.' ? this.dest : await this.ensureDir(dirRel, h.name);
      await setXattr(dirAbs, OPAQUE_XATTR, 'y');
      return;
    }
    if (wh.kind === 'whiteout') {
      const target = dirRel === '.' ? wh.target : `${dirRel}/${wh.target}`;
      await this.ensureParents(target, h.name);
      const abs = posix.join(this.dest, target);
      await this.remove(target);
      await this.nodes.mknod(abs, 'c', 0, 0);
      await lchown(abs, ownerOf(h).uid, ownerOf(h).gid);
      await lutimes(abs, mtimeOf(h), mtimeOf(h));
      return;
    }

    await this.ensureParents(name, h.name);
    const abs = posix.join(this.dest, name);
    const existing = await lstat(abs).catch(() => undefined);
    if (existing && !(existing.isDirectory() && h.type === 'directory')) await this.remove(name);
    switch (h.type) {
      case 'file':
      case 'contiguous-file': {
        const flags =
          constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW;
        const fh = await open(abs, flags, 0o600);
        try {
          for await (const chunk of stream) {
            let off = 0;
            while (off < chunk.length)
              off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
          }
        } finally {
          await fh.close();
        }
        this.sizeBytes += h.size ?? 0;
        break;
      }
      case 'directory':
        if (!existing?.isDirectory()) await mkdir(abs, 0o700);
        break;
      case 'symlink':
        await symlink(h.linkname ?? '', abs);
        break;
      case 'link':
        await this.hardlink(h, abs);
        return; // a hard link shares the target's inode and metadata
      case 'character-device':
      case 'block-device': {
        const major = h.devmajor ?? 0;
        const minor = h.devminor ?? 0;
        if (major < 0 || major > MAX_DEV_MAJOR || minor < 0 || minor > MAX_DEV_MINOR) {
          throw new UnsafePathError(h.name, `device number ${major}:${minor} out of range`);
        }
        await this.nodes.mknod(abs, h.type === 'character-device' ? 'c' : 'b', major, minor);
        break;
      }
      case 'fifo':
        await this.nodes.mknod(abs, 'p');
        break;
      default:
        throw new FlotillaError('LAYER_INVALID', {
          layer: this.opts.layer,
          image: '',
          reason: `entry "${h.name}" has unsupported type ${String(h.type)}`,
        });
    }
    await this.applyMeta(abs, name, h, rawXattrs, h.type === 'directory');
  }

  private async hardlink(h: Header, abs: string): Promise<void> {
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
      await checkParents(this.dest, target, h.name);
    } catch (err) {
      throw new UnsafePathError(
        h.name,
        `hard link target "${linkname}" is unsafe: ${(err as UnsafePathError).reason}`,
      );
    }
    const targetAbs = posix.join(this.dest, target);
    const st = await lstat(targetAbs).catch(() => undefined);
    if (!st) {
      throw new FlotillaError('LAYER_INVALID', {
        layer: this.opts.layer,
        image: '',
        reason: `hard link "${h.name}" points to "${linkname}", which is not in this layer`,
      });
    }
    if (st.isDirectory())
      throw new UnsafePathError(h.name, `hard link target "${linkname}" is a directory`);
    // linkat without AT_SYMLINK_FOLLOW: a link to a symlink links the symlink itself.
    await link(targetAbs, abs);
  }

  private async applyMeta(
    abs: string,
    rel: string,
    h: Header,
    rawXattrs: Map<string, Buffer> | undefined,
    isDir: boolean,
  ): Promise<void> {
    const { uid, gid } = ownerOf(h);
    // chown first: it clears setuid/setgid, which chmod then sets.
    await lchown(abs, uid, gid);
    if (h.type !== 'symlink') await chmod(abs, (h.mode ?? (isDir ? 0o755 : 0o644)) & 0o7777);
    for (const [name, value] of xattrsOf(h, rawXattrs)) {
      if (name.startsWith('trusted.')) {
        throw new UnsafePathError(
          h.name,
          `carries the xattr ${name} (trusted.* could forge overlay metadata)`,
        );
      }
      try {
        await setXattr(abs, name, value);
      } catch (err) {
        const msg = String((err as Error).message);
        if (!/not supported|Operation not permitted|ENOTSUP|EPERM/i.test(msg)) throw err;
      }
    }
    const mtime = mtimeOf(h);
    if (isDir) this.dirTimes.set(rel, mtime);
    else await lutimes(abs, mtime, mtime);
  }

  /** Creates missing ancestors of `rel` (exclusive), copying metadata from the lower layers. */
  private async ensureParents(rel: string, entry: string): Promise<void> {
    const parent = posix.dirname(rel);
    if (parent === '.' || this.knownDirs.has(parent)) return;
    const parts = rel.split('/');
    const first = await checkParents(this.dest, rel, entry);
    for (let i = 0; i < parts.length - 1; i++) this.knownDirs.add(parts.slice(0, i + 1).join('/'));
    for (let i = first; i < parts.length - 1; i++) {
      const dirRel = parts.slice(0, i + 1).join('/');
      const abs = posix.join(this.dest, dirRel);
      await mkdir(abs, 0o755);
      const lower = await this.lowerDir(dirRel);
      if (lower) {
        await lchown(abs, lower.uid, lower.gid);
        await chmod(abs, lower.mode & 0o7777);
        if (!this.dirTimes.has(dirRel)) this.dirTimes.set(dirRel, lower.mtime);
      }
    }
  }

  /** Removes an entry written earlier in this layer, forgetting the directories under it. */
  private async remove(rel: string): Promise<void> {
    await rm(posix.join(this.dest, rel), { recursive: true, force: true });
    for (const d of this.knownDirs)
      if (d === rel || d.startsWith(`${rel}/`)) this.knownDirs.delete(d);
  }

  private async ensureDir(rel: string, entry: string): Promise<string> {
    await this.ensureParents(`${rel}/x`, entry);
    return posix.join(this.dest, rel);
  }

  /** The directory at `rel` in the nearest lower layer that has anything there. */
  private async lowerDir(rel: string): Promise<Stats | undefined> {
    for (const lower of this.opts.lowerDirs) {
      const st = await lstatNoFollow(lower, rel);
      if (st) return st.isDirectory() ? st : undefined;
    }
    return undefined;
  }

  async finish(): Promise<void> {
    // Deepest first, so setting a child's time never disturbs its parent's.
    const dirs = [...this.dirTimes.entries()].sort((a, b) => depth(b[0]) - depth(a[0]));
    for (const [rel, mtime] of dirs) {
      await lutimes(rel === '.' ? this.dest : posix.join(this.dest, rel), mtime, mtime);
    }
  }
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
