// `rmi`, `tag`, `image prune`, `save`, `load` and `import`: local image management. Archives stream
// between the agent and a file or stdin/stdout; nothing is buffered in the CLI.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { FlotillaError } from '../../../shared/errors/index.js';
import { writeFileAtomic } from '../../../shared/fs/atomic.js';
import { formatBytes } from '../../../shared/units/index.js';
import type { CliContext } from '../../context.js';
import { collect } from '../../repeatable.js';
import { filtersQuery } from './query.js';

interface RemoveResult {
  Untagged?: string;
  Deleted?: string;
}

function printRemoved(c: CliContext, items: RemoveResult[]): void {
  for (const r of items)
    c.out.write(r.Untagged ? `Untagged: ${r.Untagged}\n` : `Deleted: ${r.Deleted}\n`);
}

export function registerRemoveCommand(program: Command, ctx: () => CliContext, verb: string) {
  program
    .command(verb)
    .description('Remove one or more images')
    .argument('<image...>')
    .option('-f, --force', 'force removal of the image')
    .option('--no-prune', 'accepted for compatibility')
    .action(async (names: string[], o: { force?: boolean }) => {
      const c = ctx();
      let failed: unknown;
      for (const n of names) {
        try {
          const out = await c.agent().json<RemoveResult[]>({
            method: 'DELETE',
            path: `/images/${encodeURIComponent(n)}`,
            query: { force: o.force ? true : undefined },
          });
          printRemoved(c, out);
        } catch (err) {
          // Docker goes on with the other names and fails at the end.
          if (names.length === 1) throw err;
          c.err.write(`Error: ${(err as Error).message}\n`);
          failed = err;
        }
      }
      if (failed) process.exitCode = 1;
    });
}

export function registerTagCommand(program: Command, ctx: () => CliContext): void {
  program
    .command('tag')
    .description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE')
    .argument('<source>', 'SOURCE_IMAGE[:TAG]')
    .argument('<target>', 'TARGET_IMAGE[:TAG]')
    .action(async (source: string, target: string) => {
      await ctx()
        .agent()
        .json({
          method: 'POST',
          path: `/images/${encodeURIComponent(source)}/tag`,
          query: { target },
        });
    });
}

export function registerPruneCommand(group: Command, ctx: () => CliContext): void {
  group
    .command('prune')
    .description('Remove unused images')
    .option('-a, --all', 'remove all unused images, not just dangling ones')
    .option('-f, --force', 'do not prompt for confirmation')
    .option('--filter <filter>', 'provide filter values: until=, label=, label!=', collect)
    .action(async (o: { all?: boolean; force?: boolean; filter?: string[] }) => {
      const c = ctx();
      if (!o.force) {
        const what = o.all
          ? 'all images without at least one container associated to them'
          : 'all dangling images';
        c.out.write(
          `WARNING! This will remove ${what}.\nAre you sure you want to continue? [y/N] `,
        );
        const answer = await new Promise<string>((resolve) => {
          process.stdin.once('data', (d) => resolve(String(d)));
          process.stdin.once('end', () => resolve(''));
        });
        process.stdin.pause();
        if (!/^y(es)?$/i.test(answer.trim())) return;
      }
      const r = await c.agent().json<{ ImagesDeleted: RemoveResult[]; SpaceReclaimed: number }>({
        method: 'POST',
        path: '/images/prune',
        query: { all: o.all ? true : undefined, filters: filtersQuery(o.filter) },
      });
      if (r.ImagesDeleted.length) {
        c.out.write('Deleted Images:\n');
        printRemoved(c, r.ImagesDeleted);
        c.out.write('\n');
      }
      c.out.write(`Total reclaimed space: ${formatBytes(r.SpaceReclaimed)}\n`);
    });
}

export function registerArchiveCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('save')
    .description('Save one or more images to a tar archive (streamed to STDOUT by default)')
    .argument('<image...>')
    .option('-o, --output <file>', 'write to a file, instead of STDOUT')
    .action(async (names: string[], o: { output?: string }) => {
      const c = ctx();
      if (!o.output && process.stdout.isTTY)
        throw new FlotillaError('INVALID_ARGUMENT', {
          detail: 'cowardly refusing to save to a terminal. Use the -o flag or redirect',
        });
      const res = await c.agent().open({ path: '/images/get', query: { names: names.join(',') } });
      if (!o.output) return void (await pipeline(res, c.out));
      // Written next to the target and renamed, so a failed save leaves no truncated archive.
      await writeFileAtomic(o.output, res);
    });

  program
    .command('load')
    .description('Load an image from a tar archive or STDIN')
    .option('-i, --input <file>', 'read from tar archive file, instead of STDIN')
    .option('-q, --quiet', 'suppress the load output')
    .action(async (o: { input?: string; quiet?: boolean }) => {
      const c = ctx();
      if (!o.input && process.stdin.isTTY)
        throw new FlotillaError('INVALID_ARGUMENT', {
          detail: 'requested load from stdin, but stdin is empty',
        });
      const r = await c.agent().json<{ lines: string[] }>({
        method: 'POST',
        path: '/images/load',
        stream: o.input ? createReadStream(o.input) : process.stdin,
      });
      if (!o.quiet) for (const l of r.lines) c.out.write(`${l}\n`);
    });

  program
    .command('import')
    .description('Import the contents from a tarball to create a filesystem image')
    .argument('<file>', 'a tar file (optionally gzip-compressed), or - for STDIN')
    .argument('[reference]', 'REPOSITORY[:TAG]')
    .option('-m, --message <message>', 'set commit message for imported image')
    .option('-c, --change <instruction>', 'apply a Dockerfile instruction to the image', collect)
    .action(
      async (
        file: string,
        reference: string | undefined,
        o: { message?: string; change?: string[] },
      ) => {
        const c = ctx();
        const r = await c.agent().json<{ id: string }>({
          method: 'POST',
          path: '/images/import',
          query: {
            repo: reference,
            message: o.message,
            source: file === '-' ? '-' : file,
            // One instruction per line (an instruction is one line), as the route splits them.
            changes: o.change?.join('\n'),
          },
          stream: file === '-' ? process.stdin : createReadStream(file),
        });
        c.out.write(`${r.id}\n`);
      },
    );
}
