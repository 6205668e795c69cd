// WORKDIR: sets the working directory and adds a one-directory layer only when the directory is
// missing from the image so far.
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { storeBuiltLayer } from './image-writer.js';
import { planCopy } from './copy.js';
import { resolveIn } from './rootfs.js';
import { chainIdsOf, nopCreatedBy, recordStep, runConfig, type BuildState } from './state.js';
import type { StepContext } from './step-context.js';

export async function workdirStep(
  ctx: StepContext,
  state: BuildState,
  text: string,
): Promise<void> {
  const rc = runConfig(state);
  const dir = posix.normalize(
    posix.isAbsolute(text) ? text : posix.join(rc.WorkingDir || '/', text),
  );
  rc.WorkingDir = dir;
  const { views } = ctx.deps;
  const exists = await views.with(chainIdsOf(state), async (root) => {
    if (state.layers.length === 0) return false;
    try {
      return (await stat(await resolveIn(root, dir))).isDirectory();
    } catch {
      return false;
    }
  });
  if (exists || dir === '/') {
    recordStep(state, nopCreatedBy(`WORKDIR ${dir}`));
    return;
  }
  const layerTar = await views.with(chainIdsOf(state), async (root) =>
    ctx.layerFromPlan(
      await planCopy({
        matches: [],
        dest: dir,
        destSlash: true,
        targetRoot: state.layers.length ? root : undefined,
        extractArchives: false,
        tmpDir: ctx.work,
      }).then(async (p) => [
        ...p,
        {
          name: dir.slice(1),
          type: 'directory' as const,
          mode: 0o755,
          uid: 0,
          gid: 0,
          mtime: new Date(),
        },
      ]),
    ),
  );
  const layer = await storeBuiltLayer(ctx.deps.writer, chainIdsOf(state).at(-1), layerTar);
  recordStep(state, nopCreatedBy(`WORKDIR ${dir}`), layer);
}
