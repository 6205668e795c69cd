// Public surface of the stack (compose file) component: load and normalise stack files like
// `docker stack config`, render them, and convert them to service specs for `stack deploy`.
import { convertStack, type ConvertedStack } from './convert.js';
import { loadStackConfig, type LoadOptions } from './load.js';
import { Problems } from './problems.js';

export { loadStackConfig } from './load.js';
export type { LoadOptions, LoadedConfig } from './load.js';
export { renderConfig, toDocument } from './render.js';
export { convertStack, parseNanoCpus, STACK_NAMESPACE_LABEL } from './convert.js';
export type { ConvertedStack, StackNetwork, StackVolume } from './convert.js';
export type { StackFileObject } from './convert-files.js';
export type { ComposeConfig } from './compose-types.js';
export { MAX_ALIAS_COUNT, MAX_DEPTH } from './source.js';
export { MAX_FILE_BYTES } from './source-bytes.js';
export { formatProblem } from './problems.js';
export type { Problem } from './problems.js';

export interface LoadedStack extends ConvertedStack {
  /** One line per warning: each ignored key, deprecated key, dropped host IP, depends_on cycle. */
  warnings: string[];
}

/**
 * Loads, validates and converts stack files for `stack deploy`. Throws STACK_INVALID (all
 * problems, with positions, including what only deploy refuses) or another STACK_* error;
 * returns nothing partial.
 */
export function loadStack(stack: string, files: string[], opts: LoadOptions = {}): LoadedStack {
  const loaded = loadStackConfig(files, opts);
  const problems = new Problems();
  for (const p of loaded.refusals) problems.add(p.pos, p.path, p.message);
  problems.throwIfAny(files);
  return { ...convertStack(stack, loaded.config), warnings: loaded.warnings };
}
