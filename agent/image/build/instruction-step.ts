// One instruction after FROM: expands its arguments, looks the step up in the layer cache, and
// otherwise hands it to its handler (RUN, COPY/ADD, WORKDIR) or applies it as metadata.
import { cacheKey } from './cache.js';
import { declareStageArgs } from './build-args.js';
import { copyCacheExtra, copyStep, type SourceMatches } from './copy-step.js';
import { dockerfileError, expandVars, type Instruction } from './dockerfile.js';
import { runInstruction } from './run-instruction.js';
import {
  applyMetadata,
  cloneState,
  nopCreatedBy,
  recordStep,
  runConfig,
  stateId,
  type BuildState,
} from './state.js';
import type { StepContext } from './step-context.js';
import { workdirStep } from './workdir-step.js';

/** Instructions whose arguments Docker expands with ARG and ENV values. */
const expanded = new Set([
  'ADD',
  'COPY',
  'ENV',
  'EXPOSE',
  'FROM',
  'LABEL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
  'ARG',
  'MAINTAINER',
]);

/** The state after `ins`, from the cache or by running the step on a copy of `prev`. */
export async function instructionStep(
  ctx: StepContext,
  prev: BuildState,
  ins: Instruction,
): Promise<BuildState> {
  const raw = ins.rest;
  const text = expanded.has(ins.name) ? expandVars(raw, ctx.vars(prev), ctx.escape) : raw;
  const flags = Object.entries(ins.flags)
    .map(([k, v]) => `--${k}=${expandVars(v, ctx.vars(prev), ctx.escape)} `)
    .join('');
  const shown = `${ins.name} ${flags}${text}`;
  if (ins.name === 'ARG') declareStageArgs(ctx, ins, ctx.vars(prev));
  if (ins.name === 'ONBUILD' && /^(ONBUILD|FROM|MAINTAINER)\b/i.test(text))
    throw dockerfileError(
      ctx.file,
      ins.line,
      `${text.split(/\s/)[0].toUpperCase()} isn't allowed as an ONBUILD trigger`,
    );
  if (ins.name === 'CMD') ctx.cmdSetInStage = true;

  const extra = await cacheExtra(ctx, prev, ins, text);
  const key = cacheKey({ parentId: stateId(prev), instruction: shown, extra: extra.key });
  if (!ctx.opts.noCache) {
    const hit = await ctx.deps.cache.get(key);
    if (hit) {
      ctx.out(' ---> Using cache\n');
      return hit;
    }
  }
  const state = cloneState(prev);
  switch (ins.name) {
    case 'RUN':
      await runInstruction(ctx, state, ins);
      break;
    case 'COPY':
    case 'ADD':
      await copyStep(ctx, state, ins, text, extra.matches);
      break;
    case 'WORKDIR':
      await workdirStep(ctx, state, text);
      break;
    case 'ARG':
      recordStep(state, nopCreatedBy(`ARG ${text}`));
      break;
    default: {
      const hadCmd = ins.name === 'ENTRYPOINT' && !ctx.cmdSetInStage;
      applyMetadata(state, ins, text, ctx.file);
      if (hadCmd) runConfig(state).Cmd = null;
      recordStep(state, nopCreatedBy(`${ins.name} ${metaText(ins, text, state)}`));
    }
  }
  await ctx.deps.cache.put(key, state);
  return state;
}

/** What the cache key adds to the instruction text: RUN's build args, COPY/ADD's sources. */
async function cacheExtra(
  ctx: StepContext,
  state: BuildState,
  ins: Instruction,
  text: string,
): Promise<{ key?: string; matches?: SourceMatches }> {
  if (ins.name === 'RUN') return { key: ctx.buildArgEnv(state).join('\n') };
  if (ins.name !== 'COPY' && ins.name !== 'ADD') return {};
  return copyCacheExtra(ctx, ins, text);
}

/** The history text of a metadata step, in Docker's form (JSON for the exec-form lists). */
function metaText(ins: Instruction, text: string, state: BuildState): string {
  const rc = runConfig(state);
  switch (ins.name) {
    case 'CMD':
      return JSON.stringify(rc.Cmd ?? []);
    case 'ENTRYPOINT':
      return JSON.stringify(rc.Entrypoint ?? []);
    case 'SHELL':
      return JSON.stringify(rc.Shell ?? []);
    case 'HEALTHCHECK':
      return `&{${JSON.stringify(rc.Healthcheck?.Test ?? [])}}`;
    default:
      return text;
  }
}
