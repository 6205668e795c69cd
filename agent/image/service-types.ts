// The narrow views of other image components that the image service needs, plus the shapes it
// hands to the API and the runtime. The content store, layer store and registry client satisfy
// these structurally; unit tests satisfy them with small fakes.
import type { Readable } from 'node:stream';
import type { ContentStore } from './content/index.js';
import type { Credentials, Platform, RegistryClient } from './registry/index.js';

/** The parts of the content store (agent/image/content) the service uses. */
export type BlobStore = Pick<
  ContentStore,
  'has' | 'ingest' | 'openRead' | 'readAll' | 'delete' | 'blobPath' | 'list'
>;

/** Unpacked layers keyed by chain id (agent/image/layers). */
export interface LayerApplier {
  /**
   * Unpacks a layer stream (gzip, zstd or plain tar; detected by magic bytes) on top of
   * `parentChainId` (undefined for the base layer). Fails with a FlotillaError when the tar is
   * hostile or the uncompressed digest is not `expectedDiffId`; leaves nothing behind then.
   */
  applyLayer(
    parentChainId: string | undefined,
    stream: Readable,
    expectedDiffId: string,
  ): Promise<{ chainId: string; diffId: string; sizeBytes: number }>;
  has(chainId: string): Promise<boolean>;
  /**
   * True when applyLayer also accepts a parent whose own applyLayer call has started and not yet
   * finished (the pull then unpacks all layers at once); otherwise the parent must be unpacked.
   */
  readonly appliesOverPendingParents?: boolean;
  /** Deletes an unpacked layer; idempotent. */
  removeLayer(chainId: string): Promise<unknown>;
}

/** Builds a registry client for one operation with the caller's credentials (if any). */
export type RegistryFactory = (opts: { credentials?: Credentials }) => RegistryClient;

/** One line of pull/push progress, in the spirit of Docker's JSON messages. */
export interface ProgressEvent {
  /** Short layer id (12 hex) or the tag; absent for whole-image lines. */
  id?: string;
  status: string;
  progress?: { current: number; total: number };
}

export type ProgressSink = (event: ProgressEvent) => void;

/**
 * A byte-progress callback that emits `status` for layer `id` once per whole percent: a 300 MB
 * layer would otherwise flood the progress stream.
 */
export function percentProgress(
  emit: ProgressSink,
  id: string,
  status: string,
): (p: { doneBytes: number; totalBytes: number }) => void {
  let lastPct = -1;
  return (p) => {
    const pct = Math.floor((p.doneBytes * 100) / Math.max(1, p.totalBytes));
    if (pct === lastPct) return;
    lastPct = pct;
    emit({ id, status, progress: { current: p.doneBytes, total: p.totalBytes } });
  };
}

export interface PullOptions {
  platform?: Platform;
  credentials?: Credentials;
  signal?: AbortSignal;
  onProgress?: ProgressSink;
}

/** What the runtime needs to build a container from a local image. */
export interface ResolvedLocalImage {
  imageId: string;
  /** The image config (OCI/Docker `config` document, parsed). */
  config: ImageConfig;
  /** Chain ids of the layers, bottom first (Snapshotter.prepare input). */
  chainIds: string[];
  /** The reference that named it, if it was a tag or digest reference. */
  ref?: string;
}

/** The parts of an image config the service reads; the rest is carried through untouched. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: Record<string, unknown>;
  rootfs: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
  [key: string]: unknown;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
  author?: string;
}

/** `import`: the name to give, the history comment and source, and `--change` as a config edit. */
export interface ImportOptions {
  ref?: string;
  message?: string;
  source?: string;
  configure?: (config: ImageConfig) => void;
}
