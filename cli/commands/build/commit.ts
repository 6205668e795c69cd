// `commit` and `export`: a container's changes as a new image, and a container's root filesystem
// as a tar (to a file with -o, else stdout, which must not be a terminal).
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { splitRepoTag } from '../../../shared/reference/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import { writeFileAtomic } from '../../../shared/fs/atomic.js';
import type { CliContext } from '../../context.js';
import { collect } from '../../repeatable.js';

export function registerCommitCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('commit')
    .description("Create a new image from a container's changes")
    .argument('<container>')
    .argument('[repository]', 'REPOSITORY[:TAG]')
    .option('-m, --message <text>', 'commit message')
    .option('-a, --author <text>', 'author (e.g. "Jane <jane@example.com>")')
    .option(
      '-c, --change <instruction>',
      'apply a Dockerfile instruction to the image; repeatable',
      collect,
      [],
    )
    .option('-p, --pause', 'accepted for compatibility (containers are not paused)', true)
    .action(
      async (
        container: string,
        repository: string | undefined,
        o: { message?: string; author?: string; change: string[] },
      ) => {
        const c = ctx();
        const { repo, tag, digest } = repository ? splitRepoTag(repository) : {};
        // As Docker: a new image gets a name and a tag; its digest is not the caller's to choose.
        if (digest)
          throw new FlotillaError('INVALID_REFERENCE', {
            input: repository!,
            reason: 'refusing to create a tag with a digest reference',
          });
        const res = await c.agent().json<{ Id: string }>({
          method: 'POST',
          path: '/commit',
          query: {
            container,
            repo,
            tag,
            comment: o.message,
            author: o.author,
            changes: o.change.length ? o.change.join('\n') : undefined,
          },
        });
        c.out.write(`${res.Id}\n`);
      },
    );

  program
    .command('export')
    .description("Export a container's filesystem as a tar archive")
    .argument('<container>')
    .option('-o, --output <file>', 'write to a file instead of STDOUT')
    .action(async (container: string, o: { output?: string }) => {
      const c = ctx();
      if (!o.output && (c.out as { isTTY?: boolean }).isTTY)
        throw new FlotillaError('INVALID_ARGUMENT', {
          detail: 'cowardly refusing to write a tar to a terminal: use -o or redirect the output',
        });
      const res = await c
        .agent()
        .open({ path: `/containers/${encodeURIComponent(container)}/export` });
      if (!o.output) {
        await pipeline(res, c.out);
        return;
      }
      await writeFileAtomic(o.output, res);
    });
}
