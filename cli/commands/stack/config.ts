// `flotilla stack config -c FILE [-c FILE]...`: prints the merged, interpolated, normalised stack
// as `docker stack config` does. Needs neither an agent nor a manager. What `stack deploy` would
// refuse in a file docker accepts is named in a warning, so the file can be fixed before deploying.
import type { CliContext } from '../../context.js';
import { formatProblem, loadStackConfig, renderConfig } from '../../../shared/stack/index.js';

export interface StackConfigOptions {
  composeFile?: string[];
}

export function runStackConfig(ctx: CliContext, opts: StackConfigOptions): void {
  const files = opts.composeFile ?? [];
  const loaded = loadStackConfig(files);
  // docker prints these through its logger on stderr; stdout stays valid YAML.
  for (const w of loaded.warnings) ctx.err.write(`WARNING: ${w}\n`);
  for (const p of loaded.refusals)
    ctx.err.write(`WARNING: stack deploy refuses this: ${formatProblem(p)}\n`);
  ctx.out.write(renderConfig(loaded.config));
}
