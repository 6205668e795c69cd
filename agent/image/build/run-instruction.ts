// The RUN instruction: runs the command through the StepRunner with the stage's build args in the
// environment, and stores the container's changes as the step's layer.
import { storeBuiltLayer } from './image-writer.js';
import type { Instruction } from './dockerfile.js';
import { chainIdsOf, commandOf, recordStep, type BuildState } from './state.js';
import type { StepContext } from './step-context.js';

export async function runInstruction(
  ctx: StepContext,
  state: BuildState,
  ins: Instruction,
): Promise<void> {
  const { runner } = ctx.deps;
  if (!runner) throw ctx.stepFailed(ins, 'this agent cannot run containers for builds');
  const cmd = commandOf(ins, ins.rest, state);
  const argEnv = ctx.buildArgEnv(state);
  const res = await runner.run({
    state,
    cmd,
    env: argEnv,
    network: ctx.opts.network ?? 'bridge',
    onOutput: (d) => ctx.out(d.toString('utf8')),
    layerFile: ctx.nextLayerFile(),
    signal: ctx.opts.signal,
  });
  const shownCmd = ins.json ? JSON.stringify(ins.json) : ins.rest;
  if (res.exitCode !== 0 || !res.layer)
    throw ctx.stepFailed(
      ins,
      `the command '${shownCmd}' returned a non-zero code: ${res.exitCode}`,
    );
  const layer = await storeBuiltLayer(ctx.deps.writer, chainIdsOf(state).at(-1), res.layer);
  const prefix = argEnv.length ? `|${argEnv.length} ${argEnv.join(' ')} ` : '';
  recordStep(state, `${prefix}${cmd.join(' ')}`, layer);
}
