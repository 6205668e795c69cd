// Executes a RUN step: a container from the current build state (a temporary image known only to
// the builder's engine), output streamed to the build, and on success the container's upper
// directory as the step's layer (agent/image/diff turns it into a tar). The container, its mounts
// and anonymous volumes are removed whatever happens.
import { randomBytes } from 'node:crypto';
import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRuntime } from '../../runtime/index.js';
import { diffUpper } from '../diff/index.js';
import { saveLayerTar, type WrittenLayer } from './layer-tar.js';
import type { BuildState, RunConfig } from './state.js';

/** What the builder needs to run a step; tests and the API route provide it. */
export interface StepRunner {
  run(opts: StepRunOptions): Promise<{ exitCode: number; layer?: WrittenLayer }>;
}

export interface StepRunOptions {
  state: BuildState;
  cmd: string[];
  /** Environment beyond the image's: build args in effect. */
  env: string[];
  network: 'none' | 'bridge';
  onOutput(data: Buffer): void;
  /** Where to write the layer tar. */
  layerFile: string;
  signal?: AbortSignal;
}

/** Registers temporary images under a name the builder's engine can resolve. */
export interface TempImages {
  register(ref: string, state: BuildState): void;
  unregister(ref: string): void;
}

/** Mount points runc creates when an image lacks them (dirs), with everything below them. */
const runtimeDirs = ['proc', 'sys', 'dev'];
/** Bind-mount targets runc creates as empty files when an image lacks them. */
const runtimeFiles = ['etc/hosts', 'etc/hostname', 'etc/resolv.conf'];

export class ContainerStepRunner implements StepRunner {
  constructor(
    private readonly deps: {
      engine: Pick<ContainerRuntime, 'create' | 'start' | 'attach' | 'wait' | 'remove' | 'kill'>;
      images: TempImages;
      /** The container's overlay upper dir; it must outlive the container's exit. */
      upperDir(containerId: string): Promise<string>;
    },
  ) {}

  async run(opts: StepRunOptions): Promise<{ exitCode: number; layer?: WrittenLayer }> {
    const ref = `flotilla-build-${randomBytes(8).toString('hex')}`;
    this.deps.images.register(ref, opts.state);
    let id: string | undefined;
    try {
      const rc = (opts.state.config.config ?? {}) as RunConfig;
      ({ id } = await this.deps.engine.create({
        image: ref,
        cmd: opts.cmd,
        entrypoint: [],
        env: opts.env,
        workingDir: rc.WorkingDir || undefined,
        user: rc.User || undefined,
        network: opts.network,
        noHealthcheck: true,
        labels: { 'io.flotilla.build': 'true' },
      }));
      // Attach first (it connects during start, before the process runs), then wait for start
      // itself: waiting on a container that has not reached `running` would return at once.
      const attached = this.deps.engine.attach(id, {
        onStdout: opts.onOutput,
        onStderr: opts.onOutput,
      });
      attached.catch(() => undefined);
      await this.deps.engine.start(id);
      const session = await attached;
      const onAbort = () => void this.deps.engine.kill(id!, 'KILL').catch(() => undefined);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      let exitCode: number;
      try {
        exitCode = await this.deps.engine.wait(id);
        await Promise.race([session.done, new Promise((r) => setTimeout(r, 2000))]);
      } finally {
        opts.signal?.removeEventListener('abort', onAbort);
        session.close();
      }
      if (exitCode !== 0) return { exitCode };
      const upper = await this.deps.upperDir(id);
      await dropRuntimeArtifacts(upper);
      return { exitCode, layer: await saveLayerTar(diffUpper(upper), opts.layerFile) };
    } finally {
      if (id)
        await this.deps.engine.remove(id, { force: true, volumes: true }).catch(() => undefined);
      this.deps.images.unregister(ref);
    }
  }
}

/**
 * Deletes what runc put into the upper dir, not the step: the container has exited and the upper
 * dir is this step's alone (it is removed with the container), so pruning it is the same as
 * leaving those entries out of the tar.
 */
async function dropRuntimeArtifacts(upper: string): Promise<void> {
  for (const d of runtimeDirs) {
    const st = await lstat(join(upper, d)).catch(() => undefined);
    if (st?.isDirectory()) await rm(join(upper, d), { recursive: true, force: true });
  }
  for (const f of runtimeFiles) {
    const st = await lstat(join(upper, f)).catch(() => undefined);
    if ((st?.isFile() && st.size === 0) || st?.isDirectory())
      await rm(join(upper, f), { recursive: true, force: true });
  }
}
