// What the steps of one build share: options and dependencies, finished stages, ARG values in
// scope, the step and layer counters, and small helpers every instruction handler needs.
import { join } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { BuilderDeps, BuildOptions } from './builder-types.js';
import type { Instruction } from './dockerfile.js';
import { writeLayerTar, type PlannedEntry } from './layer-tar.js';
import { envMap, type BuildState } from './state.js';

/** A finished stage, found again by FROM and COPY --from (by name or index). */
export interface Stage {
  name?: string;
  state: BuildState;
}

export class StepContext {
  readonly stages: Stage[] = [];
  /** ARGs before the first FROM: only FROM lines see these. */
  metaArgs: Record<string, string> = {};
  /** ARGs declared in the current stage. */
  stageArgs: Record<string, string> = {};
  step = 0;
  cmdSetInStage = false;
  private layerN = 0;

  constructor(
    readonly deps: BuilderDeps,
    readonly opts: BuildOptions,
    readonly file: string,
    readonly escape: string,
    /** The build's private work directory (layer tars, copy scratch space). */
    readonly work: string,
  ) {}

  out(text: string): void {
    this.opts.onStream(text);
  }

  /** Variables for expansion: args in scope, overridden by ENV (Docker's precedence). */
  vars(state: BuildState): Record<string, string> {
    return { ...this.stageArgs, ...Object.fromEntries(envMap(state)) };
  }

  /** The stage's ARG values that ENV does not shadow, as RUN's extra environment. */
  buildArgEnv(state: BuildState): string[] {
    const env = envMap(state);
    return Object.entries(this.stageArgs)
      .filter(([k]) => !env.has(k))
      .map(([k, v]) => `${k}=${v}`)
      .sort();
  }

  stepFailed(ins: Instruction, reason: string): FlotillaError {
    return new FlotillaError('BUILD_STEP_FAILED', {
      file: this.file,
      line: ins.line,
      instruction: ins.name,
      reason,
    });
  }

  /** A fresh path for the next layer tar in the work directory. */
  nextLayerFile(): string {
    return join(this.work, `layer-${this.layerN++}.tar`);
  }

  /** Writes the planned layer (with --chmod applied) while the source views are still mounted. */
  async layerFromPlan(planned: PlannedEntry[], chmod?: string) {
    if (chmod) {
      const mode = parseInt(chmod, 8);
      for (const e of planned) if (e.type === 'file' || e.type === 'directory') e.mode = mode;
    }
    return writeLayerTar(this.nextLayerFile(), planned);
  }
}
