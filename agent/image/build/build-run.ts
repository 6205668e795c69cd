// Walks one build's instructions: the step lines, ARG before the first FROM, stage boundaries and
// --target, the unused build-arg warning, and step errors named after their Dockerfile line.
import { FlotillaError, isFlotillaError } from '../../../shared/errors/index.js';
import { parseArg, predefinedArgs } from './build-args.js';
import type { BuilderDeps, BuildOptions } from './builder-types.js';
import { dockerfileError, splitWords, type Instruction } from './dockerfile.js';
import { instructionStep } from './instruction-step.js';
import { stateForFrom } from './stage-source.js';
import { shortStateId, type BuildState } from './state.js';
import { StepContext } from './step-context.js';

export class BuildRun {
  private readonly ctx: StepContext;

  constructor(deps: BuilderDeps, opts: BuildOptions, file: string, escape: string, work: string) {
    this.ctx = new StepContext(deps, opts, file, escape, work);
  }

  /** Runs the instructions; returns the last stage's state (or the --target stage's). */
  async execute(instructions: Instruction[]): Promise<BuildState> {
    const { ctx } = this;
    const { opts } = ctx;
    const total = instructions.length;
    const buildArgs = opts.buildArgs ?? {};
    const used = new Set<string>();
    let state: BuildState | undefined;
    let stageName: string | undefined;
    for (const ins of instructions) {
      opts.signal?.throwIfAborted();
      ctx.step++;
      ctx.out(`Step ${ctx.step}/${total} : ${ins.original}\n`);
      try {
        if (ins.name === 'FROM') {
          if (state) {
            ctx.stages.push({ name: stageName, state });
            if (opts.target && stageName === opts.target) return state;
          }
          ({ state, name: stageName } = await stateForFrom(ctx, ins));
          ctx.stageArgs = {};
          ctx.cmdSetInStage = false;
          ctx.out(` ---> ${shortStateId(state)}\n`);
          continue;
        }
        if (!state) {
          // ARG before the first FROM: only FROM lines see these.
          for (const [k, v] of parseArg(ctx, ins, ctx.metaArgs)) {
            ctx.metaArgs[k] = v;
            used.add(k);
          }
          continue;
        }
        if (ins.name === 'ARG') for (const w of splitWords(ins.rest)) used.add(w.split('=')[0]);
        state = await instructionStep(ctx, state, ins);
        ctx.out(` ---> ${shortStateId(state)}\n`);
      } catch (err) {
        throw this.wrap(err, ins);
      }
    }
    if (!state) throw dockerfileError(ctx.file, 1, 'no FROM instruction');
    if (opts.target && stageName !== opts.target && !ctx.stages.some((s) => s.name === opts.target))
      throw new FlotillaError('INVALID_ARGUMENT', {
        detail: `target stage "${opts.target}" could not be found`,
      });
    const unused = Object.keys(buildArgs).filter((k) => !used.has(k) && !predefinedArgs.has(k));
    if (unused.length)
      ctx.out(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    return state;
  }

  /** Step failures name the Dockerfile line; syntax errors and aborts pass through as they are. */
  private wrap(err: unknown, ins: Instruction): unknown {
    const { file } = this.ctx;
    if (isFlotillaError(err)) {
      if (['DOCKERFILE_SYNTAX', 'BUILD_STEP_FAILED'].includes(err.code)) return err;
      return new FlotillaError(
        'BUILD_STEP_FAILED',
        { file, line: ins.line, instruction: ins.name, reason: err.message },
        { cause: err },
      );
    }
    if ((err as Error)?.name === 'AbortError') return err;
    return new FlotillaError(
      'BUILD_STEP_FAILED',
      { file, line: ins.line, instruction: ins.name, reason: (err as Error).message },
      { cause: err },
    );
  }
}
