// Keeps each unpacked layer once, keyed by chain id, under <root>/layers/<short-id>/{diff,meta.json}.
// A layer is extracted into a private temp dir and renamed into place only when complete and
// verified, so a layer directory either exists whole or not at all. Snapshots (overlay mounts) are
// the snapshotter's job; blobs are the content store's.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FlotillaError } from '../../../shared/errors/index.js';
import { digestHex } from '../content/index.js';
import { unpackLayer } from '../unpack/index.js';
import { chainIdOf } from './chain-id.js';
import { KeyedLock } from '../../../shared/concurrency/keyed-lock.js';

export interface LayerInfo {
  chainId: string;
  diffId: string;
  parentChainId?: string;
  /** Directory name under <root>/layers; short so that overlay option strings stay small. */
  shortId: string;
  /** Bytes of regular file content in the layer. */
  sizeBytes: number;
  createdAt: string;
}

export interface ApplyResult {
  chainId: string;
  diffId: string;
  sizeBytes: number;
}

/** Length of a short id: 12 hex chars of the chain id (48 bits; meta.json guards collisions). */
const SHORT_ID_LENGTH = 12;

export class LayerStore {
  /** <root>/layers: also the cwd for overlay mounts, so lowerdir entries are "<short>/diff". */
  readonly layersDir: string;
  /** applyLayer takes a parent that is still being applied (see applyLayer). */
  readonly appliesOverPendingParents = true;
  private readonly locks = new KeyedLock();
  private readonly cache = new Map<string, LayerInfo>();
  /** applyLayer calls with an expected diff id, by chain id, until they settle. */
  private readonly inFlight = new Map<string, Promise<ApplyResult>>();

  constructor(readonly root: string) {
    this.layersDir = join(root, 'layers');
  }

  /** Creates directories and removes temp dirs left by a crash. Call once before use. */
  async init(): Promise<void> {
    await mkdir(this.layersDir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.layersDir)) {
      if (name.startsWith('tmp-'))
        await rm(join(this.layersDir, name), { recursive: true, force: true });
    }
  }

  shortIdOf(chainId: string): string {
    return digestHex(chainId).slice(0, SHORT_ID_LENGTH);
  }

  /** Absolute directory of the layer's contents (the overlay lower dir). */
  layerDir(chainId: string): string {
    return join(this.layersDir, this.shortIdOf(chainId), 'diff');
  }

  /** The lower dir relative to `layersDir`, as used in overlay option strings. */
  relativeLayerDir(chainId: string): string {
    return `${this.shortIdOf(chainId)}/diff`;
  }

  async get(chainId: string): Promise<LayerInfo | undefined> {
    const cached = this.cache.get(chainId);
    if (cached) return cached;
    try {
      const raw = await readFile(
        join(this.layersDir, this.shortIdOf(chainId), 'meta.json'),
        'utf8',
      );
      const info = JSON.parse(raw) as LayerInfo;
      if (info.chainId !== chainId) {
        throw new FlotillaError('INTERNAL', {
          detail: `layer short id collision for ${chainId} and ${info.chainId}`,
        });
      }
      this.cache.set(chainId, info);
      return info;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async has(chainId: string): Promise<boolean> {
    return (await this.get(chainId)) !== undefined;
  }

  /** Layer dirs of `chainId` and its ancestors, top first; throws LAYER_NOT_FOUND. */
  async lowerChain(chainId: string): Promise<LayerInfo[]> {
    const out: LayerInfo[] = [];
    let cur: string | undefined = chainId;
    while (cur) {
      const info = await this.get(cur);
      if (!info) throw new FlotillaError('LAYER_NOT_FOUND', { chainId: cur });
      out.push(info);
      cur = info.parentChainId;
    }
    return out;
  }

  /**
   * Unpacks a layer (gzip, zstd or plain tar) on top of `parentChainId`, which must be unpacked
   * already or be in an applyLayer call (with an expected diff id) of this store that started
   * earlier: then the layer is extracted at once, and only its implicit parent directories (which
   * copy the lower layer's metadata) and its placement wait for the parent. With `expectedDiffId`
   * the result is verified (LAYER_DIFF_ID_MISMATCH) and, when the layer already exists, `source`
   * is drained without extracting. Concurrent calls for one chain id are serialised; each layer
   * ends up in exactly one directory. Throws LAYER_NOT_FOUND (parent), LAYER_UNSAFE_ENTRY,
   * LAYER_INVALID, UNSUPPORTED_LAYER_MEDIA_TYPE; nothing is left behind on failure.
   */
  applyLayer(
    parentChainId: string | undefined,
    source: Readable,
    expectedDiffId?: string,
  ): Promise<ApplyResult> {
    if (!expectedDiffId) return this.apply(parentChainId, source, undefined);
    // Registered before the first await, so a child applied right after finds it.
    const chainId = chainIdOf(parentChainId, expectedDiffId);
    const p = this.apply(parentChainId, source, expectedDiffId);
    this.inFlight.set(chainId, p);
    const forget = () => {
      if (this.inFlight.get(chainId) === p) this.inFlight.delete(chainId);
    };
    p.then(forget, forget);
    return p;
  }

  private async apply(
    parentChainId: string | undefined,
    source: Readable,
    expectedDiffId: string | undefined,
  ): Promise<ApplyResult> {
    const parentApply = parentChainId ? this.inFlight.get(parentChainId) : undefined;
    // Without a parent in flight, a missing parent fails now, before any byte is extracted.
    const ready = parentApply ? undefined : await this.lowerDirsOf(parentChainId);
    const lowerDirs = async (): Promise<string[]> => {
      if (ready) return ready;
      await parentApply;
      return this.lowerDirsOf(parentChainId);
    };
    if (expectedDiffId) {
      const chainId = chainIdOf(parentChainId, expectedDiffId);
      return this.locks.run(chainId, async () => {
        const existing = await this.get(chainId);
        if (existing) {
          // Drained only; a failing source must not become an unhandled 'error' event.
          source.on('error', () => undefined);
          source.resume();
          return { chainId, diffId: existing.diffId, sizeBytes: existing.sizeBytes };
        }
        return this.extractAndPlace(parentChainId, source, lowerDirs, expectedDiffId, true);
      });
    }
    return this.extractAndPlace(parentChainId, source, lowerDirs, undefined, false);
  }

  private async lowerDirsOf(parentChainId: string | undefined): Promise<string[]> {
    const parents = parentChainId ? await this.lowerChain(parentChainId) : [];
    return parents.map((p) => this.layerDir(p.chainId));
  }

  private async extractAndPlace(
    parentChainId: string | undefined,
    source: Readable,
    lowerDirs: () => Promise<string[]>,
    expectedDiffId: string | undefined,
    holdsLock: boolean,
  ): Promise<ApplyResult> {
    await mkdir(this.layersDir, { recursive: true, mode: 0o700 });
    const tmp = join(this.layersDir, `tmp-${randomBytes(8).toString('hex')}`);
    try {
      // layers/<short> is private: set-uid files and device nodes in diff/ are unreachable for
      // other users. diff/ itself is the layer's root dir as containers see it.
      await mkdir(tmp, { mode: 0o700 });
      await mkdir(join(tmp, 'diff'), { mode: 0o755 });
      const res = await unpackLayer(source, join(tmp, 'diff'), {
        lowerDirs,
        layer: expectedDiffId ?? 'with unknown diff id',
      });
      if (expectedDiffId && res.diffId !== expectedDiffId) {
        throw new FlotillaError('LAYER_DIFF_ID_MISMATCH', {
          expected: expectedDiffId,
          actual: res.diffId,
        });
      }
      // A layer is placed only after its parent, so a layer dir never exists without its lowers.
      await lowerDirs();
      const chainId = chainIdOf(parentChainId, res.diffId);
      const info: LayerInfo = {
        chainId,
        diffId: res.diffId,
        ...(parentChainId ? { parentChainId } : {}),
        shortId: this.shortIdOf(chainId),
        sizeBytes: res.sizeBytes,
        createdAt: new Date().toISOString(),
      };
      await writeFile(join(tmp, 'meta.json'), JSON.stringify(info), { mode: 0o600 });
      const place = async (): Promise<ApplyResult> => {
        const existing = await this.get(chainId);
        if (existing) return { chainId, diffId: existing.diffId, sizeBytes: existing.sizeBytes };
        try {
          // rename(2) of a directory onto an existing non-empty one fails: a racing writer in
          // another process keeps its complete copy and ours is discarded.
          await rename(tmp, join(this.layersDir, info.shortId));
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
        }
        this.cache.set(chainId, info);
        return { chainId, diffId: info.diffId, sizeBytes: info.sizeBytes };
      };
      // The KeyedLock is not reentrant: with an expected diff id the caller already holds it.
      return await (holdsLock ? place() : this.locks.run(chainId, place));
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Deletes an unpacked layer. The caller makes sure no snapshot or child layer uses it. */
  async removeLayer(chainId: string): Promise<boolean> {
    return this.locks.run(chainId, async () => {
      if (!(await this.get(chainId))) return false;
      const dir = join(this.layersDir, this.shortIdOf(chainId));
      const trash = join(this.layersDir, `tmp-rm-${randomBytes(6).toString('hex')}`);
      // Rename first so a half-deleted layer is never mistaken for a complete one.
      await rename(dir, trash);
      this.cache.delete(chainId);
      await rm(trash, { recursive: true, force: true });
      return true;
    });
  }

  async list(): Promise<LayerInfo[]> {
    let names: string[];
    try {
      names = await readdir(this.layersDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: LayerInfo[] = [];
    for (const name of names.sort()) {
      if (name.startsWith('tmp-') || name === 'empty') continue;
      const raw = await readFile(join(this.layersDir, name, 'meta.json'), 'utf8').catch(
        () => undefined,
      );
      if (raw) out.push(JSON.parse(raw) as LayerInfo);
    }
    return out;
  }

  /** Bytes of file content across all unpacked layers. */
  async totalSizeBytes(): Promise<number> {
    return (await this.list()).reduce((sum, l) => sum + l.sizeBytes, 0);
  }
}
