// What a build takes and gives back: the options of one build, the builder's dependencies, and
// the result. Kept apart so the step modules can name them without importing the Builder.
import type { ImageConfig, ProgressEvent } from '../service-types.js';
import type { ImageRecord } from '../store/image-store.js';
import type { BuildCache } from './cache.js';
import type { ImageWriterDeps } from './image-writer.js';
import type { RootfsViews } from './rootfs.js';
import type { StepRunner } from './run-step.js';

export interface BuildOptions {
  /** The unpacked context. */
  contextDir: string;
  /** Dockerfile path inside the context. @default 'Dockerfile' */
  dockerfile?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  /** `--label`: labels of the final image. */
  labels?: Record<string, string>;
  noCache?: boolean;
  /** Stop after this stage. */
  target?: string;
  /**
   * Network of RUN containers, as Docker's `--network`. 'bridge' needs the agent's network
   * component; without it the engine gives RUN a namespace with loopback only. @default 'bridge'
   */
  network?: 'none' | 'bridge';
  /** Build output text (step lines, RUN output). */
  onStream(text: string): void;
  signal?: AbortSignal;
}

export interface BuilderDeps {
  images: {
    find(name: string): ImageRecord;
    config(rec: ImageRecord): Promise<ImageConfig>;
    pull(
      name: string,
      opts: { onProgress?: (e: ProgressEvent) => void; signal?: AbortSignal },
    ): Promise<unknown>;
  };
  writer: ImageWriterDeps;
  cache: BuildCache;
  views: RootfsViews;
  /** Absent: RUN fails with a clear error. */
  runner?: StepRunner;
  tmpRoot: string;
  architecture: string;
}

export interface BuildResult {
  imageId: string;
  tags: string[];
}
