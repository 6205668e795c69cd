// COPY and ADD: check their arguments, key the cache on the sources, and write the layer from the
// context or, with --from, from a read-only view of another stage or image.
import { mkdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';
import { hashSources } from './cache.js';
import { CopyError, describeSources, matchSources, planCopy } from './copy.js';
import { dockerfileError, expandVars, splitWords, type Instruction } from './dockerfile.js';
import { storeBuiltLayer } from './image-writer.js';
import { resolveOwner } from './rootfs.js';
import { sourceState } from './stage-source.js';
import {
  chainIdsOf,
  nopCreatedBy,
  recordStep,
  runConfig,
  stateId,
  type BuildState,
} from './state.js';
import type { StepContext } from './step-context.js';

export type SourceMatches = Awaited<ReturnType<typeof matchSources>>;

/** The cache key part of a COPY/ADD, and the context matches it hashed (reused by the copy). */
export async function copyCacheExtra(
  ctx: StepContext,
  ins: Instruction,
  text: string,
): Promise<{ key?: string; matches?: SourceMatches }> {
  const from = ins.flags.from;
  if (from !== undefined) {
    const src = await sourceState(ctx, ins, from);
    return { key: `from:${stateId(src)}` };
  }
  const { sources } = copyArgs(ctx, ins, text);
  try {
    const matches = await matchSources(ctx.opts.contextDir, sources);
    return { key: hashSources(await describeSources(matches)), matches };
  } catch (err) {
    if (err instanceof CopyError) throw ctx.stepFailed(ins, err.message);
    throw err;
  }
}

/** Adds the COPY/ADD layer to `state` and records the step. */
export async function copyStep(
  ctx: StepContext,
  state: BuildState,
  ins: Instruction,
  text: string,
  contextMatches?: SourceMatches,
): Promise<void> {
  const { sources, dest: rawDest } = copyArgs(ctx, ins, text);
  const workdir = runConfig(state).WorkingDir || '/';
  const dest = posix.isAbsolute(rawDest) ? rawDest : posix.join(workdir, rawDest);
  const destSlash = rawDest.endsWith('/') || rawDest === '.' || rawDest.endsWith('/.');
  const chmod = ins.flags.chmod;
  if (chmod !== undefined && !/^[0-7]{3,4}$/.test(chmod))
    throw dockerfileError(ctx.file, ins.line, `invalid --chmod value "${chmod}"`);
  const tmpDir = join(ctx.work, `copy-${ctx.step}`);
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  const { views } = ctx.deps;
  const entries = await views.with(chainIdsOf(state), async (targetRoot) => {
    const owner = ins.flags.chown
      ? await resolveOwner(
          targetRoot,
          expandVars(ins.flags.chown, ctx.vars(state), ctx.escape),
        ).catch((err: Error) => {
          throw ctx.stepFailed(ins, err.message);
        })
      : undefined;
    const plan = async (srcRoot: string, matches?: SourceMatches) => {
      let m = matches;
      if (!m) {
        try {
          m = await matchSources(srcRoot, sources);
        } catch (err) {
          if (err instanceof CopyError) throw ctx.stepFailed(ins, err.message);
          throw err;
        }
      }
      return planCopy({
        matches: m,
        dest,
        destSlash,
        targetRoot: state.layers.length ? targetRoot : undefined,
        owner,
        extractArchives: ins.name === 'ADD',
        tmpDir,
      });
    };
    if (ins.flags.from !== undefined) {
      const src = await sourceState(ctx, ins, ins.flags.from);
      // The tar is written while the source view is still mounted: entries point into it.
      return views.with(chainIdsOf(src), async (root) =>
        ctx.layerFromPlan(await plan(root), chmod),
      );
    }
    return ctx.layerFromPlan(await plan(ctx.opts.contextDir, contextMatches), chmod);
  });
  const layer = await storeBuiltLayer(ctx.deps.writer, chainIdsOf(state).at(-1), entries);
  const what = sources.length === 1 ? sources[0] : `multi:${sources.length}`;
  recordStep(state, nopCreatedBy(`${ins.name} ${what} in ${dest} `), layer);
}

/** Sources and destination; refuses unknown flags and URLs (builds have no internet). */
function copyArgs(
  ctx: StepContext,
  ins: Instruction,
  text: string,
): { sources: string[]; dest: string } {
  const words = ins.json ?? splitWords(text);
  const dest = words[words.length - 1];
  const sources = words.slice(0, -1);
  for (const f of Object.keys(ins.flags))
    if (!['from', 'chown', 'chmod', 'link'].includes(f) || (ins.name === 'ADD' && f === 'from'))
      throw dockerfileError(ctx.file, ins.line, `unknown flag: --${f}`);
  for (const s of sources)
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
      if (ins.name === 'ADD')
        throw new FlotillaError('BUILD_ADD_URL_UNSUPPORTED', {
          file: ctx.file,
          line: ins.line,
          url: s,
        });
      throw dockerfileError(ctx.file, ins.line, `COPY does not take URLs: ${s}`);
    }
  return { sources, dest };
}
