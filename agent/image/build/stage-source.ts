// Where a stage or a COPY --from starts: `scratch`, an earlier stage (by name or index), or an
// image from the store, pulled when missing.
import { isFlotillaError } from '../../../shared/errors/index.js';
import { parseReference } from '../reference/index.js';
import type { ImageRecord } from '../store/image-store.js';
import { dockerfileError, expandVars, splitWords, type Instruction } from './dockerfile.js';
import { cloneState, scratchState, type BuildState } from './state.js';
import type { Stage, StepContext } from './step-context.js';

/** The state a FROM line starts its stage with, and the stage's name (`AS name`). */
export async function stateForFrom(
  ctx: StepContext,
  ins: Instruction,
): Promise<{ state: BuildState; name?: string }> {
  const words = splitWords(expandVars(ins.rest, ctx.metaArgs, ctx.escape));
  const ref = words[0];
  const name = words[2]?.toLowerCase();
  if (name !== undefined && !/^[a-z][a-z0-9-_.]*$/.test(name))
    throw dockerfileError(ctx.file, ins.line, `invalid stage name "${words[2]}"`);
  if (name && ctx.stages.some((s) => s.name === name))
    throw dockerfileError(ctx.file, ins.line, `duplicate stage name "${name}"`);
  if (ref === '') throw dockerfileError(ctx.file, ins.line, 'FROM requires an image name');
  if (ref.toLowerCase() === 'scratch') return { state: scratchState(ctx.deps.architecture), name };
  const stage = findStage(ctx, ref);
  if (stage) return { state: cloneState(stage.state), name };
  return { state: await imageState(ctx, ref), name };
}

/** The state COPY --from reads: an earlier stage, else an image. */
export async function sourceState(
  ctx: StepContext,
  ins: Instruction,
  from: string,
): Promise<BuildState> {
  const name = expandVars(
    from,
    ctx.vars({ config: { rootfs: { type: 'layers', diff_ids: [] } }, layers: [] }),
    ctx.escape,
  );
  const stage = findStage(ctx, name);
  if (stage) return stage.state;
  try {
    parseReference(name);
  } catch {
    throw dockerfileError(ctx.file, ins.line, `COPY --from: no stage or image named "${name}"`);
  }
  return imageState(ctx, name);
}

function findStage(ctx: StepContext, ref: string): Stage | undefined {
  const lower = ref.toLowerCase();
  const byName = ctx.stages.find((s) => s.name === lower);
  if (byName) return byName;
  if (/^\d+$/.test(ref)) return ctx.stages[Number(ref)];
  return undefined;
}

async function imageState(ctx: StepContext, ref: string): Promise<BuildState> {
  const { images } = ctx.deps;
  let rec: ImageRecord;
  try {
    rec = images.find(ref);
  } catch (err) {
    if (!isFlotillaError(err) || err.kind !== 'not_found') throw err;
    ctx.out(`Pulling ${ref}\n`);
    await images.pull(ref, {
      signal: ctx.opts.signal,
      onProgress: (e) => {
        if (!e.progress) ctx.out(`${e.id ? `${e.id}: ` : ''}${e.status}\n`);
      },
    });
    rec = images.find(ref);
  }
  const config = structuredClone(await images.config(rec));
  config.history ??= [];
  return { config, layers: structuredClone(rec.layers) };
}
