// Public surface of the stack (compose file) component: load and normalise stack files like
// `docker stack config`, render them, and convert them to service specs for `stack deploy`.
import { convertStack, type ConvertedStack } from './convert.js';
import { loadStackConfig, type LoadOptions } from './load.js';

export { loadStackConfig } from './load.js';
export type { LoadOptions, LoadedConfig } from './load.js';
export { renderConfig, toDocument } from './render.js';
export { convertStack, parseNanoCpus, STACK_NAMESPACE_LABEL } from './convert.js';
export type { ConvertedStack, StackNetwork, StackVolume } from './convert.js';
export type { ComposeConfig } from './compose-types.js';
export { MAX_ALIAS_COUNT, MAX_DEPTH } from './source.js';

export interface LoadedStack extends ConvertedStack {
  /** One line per warning; the first lists ignored keys ("Ignoring unsupported options: ..."). */
  warnings: string[];
}

/**
 * Loads, validates and converts stack files for `stack deploy`. Throws STACK_INVALID (all
 * problems, with positions) or another STACK_* error; returns nothing partial.
 */
export function loadStack(stack: string, files: string[], opts: LoadOptions = {}): LoadedStack {
  const loaded = loadStackConfig(files, opts);
  const warnings: string[] = [];
  if (loaded.unsupported.length > 0) {
    warnings.push(`Ignoring unsupported options: ${loaded.unsupported.join(', ')}`);
  }
  const dep = Object.entries(loaded.deprecated).sort(([a], [b]) => a.localeCompare(b));
  if (dep.length > 0) {
    warnings.push(
      `Ignoring deprecated options: ${dep.map(([k, why]) => `${k}: ${why}`).join('; ')}`,
    );
  }
  warnings.push(...loaded.warnings);
  return { ...convertStack(stack, loaded.config), warnings };
}
