// Unpacks one layer tar into an empty directory, overlay-style: whiteouts become 0/0 character
// devices, opaque markers the trusted.overlay.opaque xattr. Streams entry by entry (no layer is
// buffered), computes the diff id on the way, and refuses any entry that could write outside the
// directory (layer-unpacker.ts). Runs in a worker thread when it can (extract-worker.ts). Atomic
// placement and keying by chain id are the layer store's job.
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { FlotillaError } from '../../../shared/errors/index.js';
import { decompressLayer, type LayerCompression } from './decompress.js';
import { LayerUnpacker, type EntryStream, type Header } from './layer-unpacker.js';
import { parsePaxXattrs } from './pax-xattrs.js';
import { UnsafePathError } from './safe-path.js';
import { canUseWorker, unpackInWorker } from './worker-client.js';

export interface UnpackOptions {
  /**
   * Unpacked lower layers, top first: implicit parent dirs copy their metadata from these. A
   * function is called once, after the last entry, so the lower layers may still be unpacking.
   */
  lowerDirs: string[] | (() => Promise<string[]>);
  /** Names the layer in errors (its digest or chain id). */
  layer: string;
  /**
   * Extract in a worker thread (keeps the blocking filesystem calls off the caller's event loop).
   * Ignored where the worker script cannot load (TypeScript sources under vitest).
   * @default true
   */
  worker?: boolean;
}

export interface UnpackResult {
  /** sha256 of the uncompressed tar. */
  diffId: string;
  /** Bytes of regular file content written. */
  sizeBytes: number;
  compression: LayerCompression;
}

/** Unpacks `source` (gzip, zstd or plain tar) into `dest`, which must be an empty directory. */
export async function unpackLayer(
  source: Readable,
  dest: string,
  opts: UnpackOptions,
): Promise<UnpackResult> {
  const lowers = opts.lowerDirs;
  const lowerDirs = typeof lowers === 'function' ? lowers : () => Promise.resolve(lowers);
  if (opts.worker !== false && canUseWorker()) {
    return unpackInWorker(source, dest, opts.layer, lowerDirs, toLayerError);
  }
  return extractStream(source, dest, opts.layer, lowerDirs);
}

/** The extraction itself, on the current thread (the worker runs this too). */
export async function extractStream(
  source: Readable,
  dest: string,
  layer: string,
  lowerDirs: () => Promise<string[]>,
): Promise<UnpackResult> {
  const opts = { layer };
  const { compression, tar: plain } = await decompressLayer(source, opts.layer);
  const hash = createHash('sha256');
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const unpacker = new LayerUnpacker(dest, opts.layer, lowerDirs);
  let pendingXattrs: Map<string, Buffer> | undefined;
  const ex = tar.extract();
  hookRawPax(ex, (x) => (pendingXattrs = x));
  ex.on('entry', (header, stream, next) => {
    const rawXattrs = pendingXattrs;
    pendingXattrs = undefined;
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

export function toLayerError(err: unknown, layer: string): unknown {
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
function hookRawPax(ex: tar.Extract, onXattrs: (x: Map<string, Buffer>) => void): void {
  const inner = ex as unknown as {
    _decodeLongHeader(buf: Buffer): void;
    _header: { type?: string } | null;
  };
  const orig = inner._decodeLongHeader;
  inner._decodeLongHeader = function (this: typeof inner, buf: Buffer) {
    if (this._header?.type === 'pax-header') onXattrs(parsePaxXattrs(buf));
    orig.call(this, buf);
  };
}
