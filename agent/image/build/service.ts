// The build facade the agent API uses: receives a context tar and runs a build, commits a
// container's changes as an image, and exports a container's root filesystem. Running RUN steps is
// delegated to a StepRunner; reading containers to a ContainerFs. Scratch space lives under
// <imageRoot>/tmp and is removed after each operation.
import { randomBytes } from 'node:crypto';
import { arch } from 'node:process';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Logger } from '../../../shared/log/index.js';
import { diffUpper, tarDirectory } from '../diff/index.js';
import { familiarName, refString, shortId } from '../names.js';
import { parseReference } from '../reference/index.js';
import type { ImageService } from '../service.js';
import type { BlobStore, LayerApplier } from '../service-types.js';
import { Builder, type BuildOptions, type BuildResult } from './builder.js';
import { BuildCache } from './cache.js';
import { extractContext } from './context.js';
import { applyConfigChanges } from './changes.js';
import { storeBuiltLayer, writeImage } from './image-writer.js';
import { saveLayerTar } from './layer-tar.js';
import { RootfsViews, type LayerDirs } from './rootfs.js';
import type { StepRunner } from './run-step.js';
import { recordStep, scratchState, type BuildState } from './state.js';

/** What commit and export need to know about a container. */
export interface ContainerFs {
  /** The container's image id and its writable (overlay upper) directory. */
  describe(
    idOrName: string,
  ): Promise<{ id: string; imageId: string; upperDir: string; config: Record<string, unknown> }>;
}

export interface BuildServiceDeps {
  images: ImageService;
  content: BlobStore & { has(digest: string): Promise<boolean> };
  layers: LayerApplier & LayerDirs;
  /** <dataRoot>/image */
  root: string;
  log: Logger;
  runner?: StepRunner;
  containers?: ContainerFs;
}

/** A build as the API asks for it: the builder's options, the context still to be unpacked. */
export type BuildRequest = Omit<BuildOptions, 'contextDir'>;

export class BuildService {
  private readonly views: RootfsViews;
  private readonly cache: BuildCache;
  private readonly tmpRoot: string;

  constructor(private readonly deps: BuildServiceDeps) {
    this.tmpRoot = join(deps.root, 'tmp');
    this.views = new RootfsViews({ layers: deps.layers, tmpRoot: this.tmpRoot });
    this.cache = new BuildCache({
      root: deps.root,
      storage: {
        hasLayer: async (l) =>
          (await deps.layers.has(l.chainId)) && (await deps.content.has(l.digest)),
      },
    });
  }

  async build(context: Readable, req: BuildRequest): Promise<BuildResult> {
    const dir = join(this.tmpRoot, `context-${randomBytes(6).toString('hex')}`);
    const started = Date.now();
    try {
      await extractContext(context, dir);
      const builder = new Builder({
        images: this.deps.images,
        writer: {
          content: this.deps.content,
          layers: this.deps.layers,
          store: this.deps.images.store,
        },
        cache: this.cache,
        views: this.views,
        runner: this.deps.runner,
        tmpRoot: this.tmpRoot,
        architecture: goArch(),
      });
      const res = await builder.build({ contextDir: dir, ...req });
      this.deps.log.info({ imageId: res.imageId, durationMs: Date.now() - started }, 'image built');
      return res;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** `commit`: the container's changes as a new layer on its image; returns the new image id. */
  async commit(opts: {
    container: string;
    repo?: string;
    tag?: string;
    comment?: string;
    author?: string;
    changes?: string[];
    pause?: boolean;
  }): Promise<string> {
    const fs = this.requireContainers('commit', opts.container);
    const c = await fs.describe(opts.container);
    const base = this.deps.images.find(c.imageId);
    const baseConfig = await this.deps.images.config(base);
    const state: BuildState = {
      config: structuredClone(baseConfig),
      layers: structuredClone(base.layers),
    };
    // The container's effective run config (its overrides included) becomes the image's, as Docker.
    state.config.config = { ...(state.config.config ?? {}), ...pickRunConfig(c.config) };
    if (opts.changes?.length) applyConfigChanges(state, opts.changes);
    const dir = join(this.tmpRoot, `commit-${randomBytes(6).toString('hex')}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      const written = await saveLayerTar(diffUpper(c.upperDir), join(dir, 'layer.tar'));
      const layer = await storeBuiltLayer(
        { content: this.deps.content, layers: this.deps.layers, store: this.deps.images.store },
        state.layers.at(-1)?.chainId,
        written,
      );
      recordStep(state, (c.config.Cmd as string[] | undefined)?.join(' ') ?? '', layer, {
        ...(opts.comment ? { comment: opts.comment } : {}),
      });
      if (opts.author) state.config.author = opts.author;
      state.config.container = c.id;
      let tags: string[] = [];
      if (opts.repo) {
        const name = opts.tag ? `${opts.repo}:${opts.tag}` : opts.repo;
        tags = [refString(parseReference(name))];
      }
      const rec = await writeImage(
        { content: this.deps.content, layers: this.deps.layers, store: this.deps.images.store },
        state.config,
        state.layers,
        tags,
      );
      this.deps.log.info(
        { containerId: c.id, imageId: rec.id, tags: tags.map(familiarName) },
        'container committed',
      );
      return rec.id;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** `export`: the container's merged root filesystem as a tar stream. */
  async export(container: string): Promise<Readable> {
    const fs = this.requireContainers('export', container);
    const c = await fs.describe(container);
    const base = this.deps.images.find(c.imageId);
    const dir = join(this.tmpRoot, `export-${randomBytes(6).toString('hex')}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, 'rootfs.tar');
    try {
      // The upper dir on top of the image's layers, mounted read-only: a consistent merged view
      // whether or not the container is running.
      await this.views.with(
        base.layers.map((l) => l.chainId),
        async (root) => saveLayerTar(tarDirectory(root), file),
        c.upperDir,
      );
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    const out = new PassThrough();
    const src = createReadStream(file);
    src.on('error', (e) => out.destroy(e));
    src.pipe(out);
    const cleanup = () => void rm(dir, { recursive: true, force: true });
    out.on('close', cleanup);
    out.on('end', cleanup);
    return out;
  }

  private requireContainers(action: string, id: string): ContainerFs {
    if (!this.deps.containers)
      throw new FlotillaError('COMMIT_UNSUPPORTED', {
        action,
        id,
        reason: 'no container runtime is wired',
      });
    return this.deps.containers;
  }
}

function pickRunConfig(c: Record<string, unknown>): Record<string, unknown> {
  const keys = [
    'User',
    'Env',
    'Cmd',
    'Entrypoint',
    'WorkingDir',
    'Labels',
    'ExposedPorts',
    'Volumes',
    'StopSignal',
    'Healthcheck',
  ];
  const out: Record<string, unknown> = {};
  for (const k of keys) if (c[k] !== undefined && c[k] !== null) out[k] = c[k];
  return out;
}

export function goArch(): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le' };
  return map[arch] ?? arch;
}

export { scratchState, shortId };
