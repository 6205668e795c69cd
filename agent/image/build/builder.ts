// Runs a parsed Dockerfile and stores the image: tags checked first, a private work directory for
// the build, the steps walked by a BuildRun. Only a complete build stores an image; a failed one
// leaves cached steps and their layers (as Docker does) but no image and no container.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';
import { familiarName, refString, shortId } from '../names.js';
import { parseReference } from '../reference/index.js';
import { BuildRun } from './build-run.js';
import type { BuilderDeps, BuildOptions, BuildResult } from './builder-types.js';
import { parseDockerfile } from './dockerfile.js';
import { writeImage } from './image-writer.js';
import { resolveIn } from './rootfs.js';

export type { BuilderDeps, BuildOptions, BuildResult } from './builder-types.js';

export class Builder {
  constructor(private readonly deps: BuilderDeps) {}

  async build(opts: BuildOptions): Promise<BuildResult> {
    const file = opts.dockerfile || 'Dockerfile';
    const df = parseDockerfile(await this.readDockerfile(opts.contextDir, file), file);
    const tags = (opts.tags ?? []).map((t) => {
      try {
        return refString(parseReference(t));
      } catch (err) {
        throw new FlotillaError('INVALID_ARGUMENT', {
          detail: `invalid tag "${t}": ${(err as Error).message}`,
        });
      }
    });
    const work = join(this.deps.tmpRoot, `build-${randomBytes(6).toString('hex')}`);
    await mkdir(work, { recursive: true, mode: 0o700 });
    try {
      const run = new BuildRun(this.deps, opts, df.file, df.escape, work);
      const state = await run.execute(df.instructions);
      // `build --label`: on the final image, over the Dockerfile's own LABELs (Docker's order).
      if (opts.labels && Object.keys(opts.labels).length) {
        const rc = (state.config.config ??= {}) as { Labels?: Record<string, string> };
        rc.Labels = { ...(rc.Labels ?? {}), ...opts.labels };
      }
      const rec = await writeImage(this.deps.writer, state.config, state.layers, tags);
      opts.onStream(`Successfully built ${shortId(rec.id)}\n`);
      for (const t of tags) opts.onStream(`Successfully tagged ${familiarName(t)}\n`);
      return { imageId: rec.id, tags: tags.map(familiarName) };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  private async readDockerfile(dir: string, file: string): Promise<string> {
    try {
      return await readFile(await resolveIn(dir, file), 'utf8');
    } catch (err) {
      throw new FlotillaError(
        'BUILD_CONTEXT_INVALID',
        { path: file, reason: 'cannot read the Dockerfile: no such file in the build context' },
        { cause: err },
      );
    }
  }
}
