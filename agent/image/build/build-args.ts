// ARG lines: names checked, defaults expanded, values taken from --build-arg first, then the
// default, then an ARG of the same name before the first FROM.
import { dockerfileError, expandVars, splitWords, type Instruction } from './dockerfile.js';
import type { StepContext } from './step-context.js';

/** ARG names Docker accepts without a declaration (proxies). */
export const predefinedArgs = new Set([
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
]);

/** The [name, value] pairs an ARG line sets; names without any value are left out. */
export function parseArg(
  ctx: StepContext,
  ins: Instruction,
  vars: Record<string, string>,
): [string, string][] {
  if (ins.name !== 'ARG')
    throw dockerfileError(ctx.file, ins.line, 'only ARG may come before the first FROM');
  const buildArgs = ctx.opts.buildArgs ?? {};
  const out: [string, string][] = [];
  for (const w of splitWords(ins.rest)) {
    const eq = w.indexOf('=');
    const name = eq < 0 ? w : w.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw dockerfileError(ctx.file, ins.line, `invalid ARG name "${name}"`);
    const def = eq < 0 ? undefined : expandVars(w.slice(eq + 1), vars, ctx.escape);
    const value = buildArgs[name] ?? def ?? ctx.metaArgs[name];
    if (value !== undefined) out.push([name, value]);
  }
  return out;
}

/** Brings an ARG line's names into the stage's scope. */
export function declareStageArgs(ctx: StepContext, ins: Instruction, vars: Record<string, string>) {
  for (const [k, v] of parseArg(ctx, ins, vars)) ctx.stageArgs[k] = v;
  // Declared without value: still in scope (as empty for expansion), like Docker.
  for (const w of splitWords(ins.rest)) {
    const n = w.split('=')[0];
    if (!(n in ctx.stageArgs)) ctx.stageArgs[n] = '';
  }
}
