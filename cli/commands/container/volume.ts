// volume create, ls, rm, inspect.
import type { Command } from 'commander';
import type { VolumeInfo } from '../../../shared/engine/index.js';
import type { CliContext } from '../../context.js';
import { collect } from '../../repeatable.js';
import { renderJsonLines, renderTable } from '../../render/table.js';

export function registerVolumeCommands(program: Command, ctx: () => CliContext): void {
  const volume = program.command('volume').description('Manage volumes');
  volume
    .command('create')
    .argument('[name]')
    .option('-l, --label <K=V>', 'set metadata for a volume', collect)
    .action(async (name: string | undefined, o: { label?: string[] }) => {
      const c = ctx();
      const labels = Object.fromEntries(
        (o.label ?? []).map((l) => [l.split('=')[0], l.split('=').slice(1).join('=')]),
      );
      const v = await c.agent().json<VolumeInfo>({
        method: 'POST',
        path: '/volumes/create',
        body: { Name: name, Labels: labels },
      });
      c.out.write(`${v.Name}\n`);
    });
  volume
    .command('ls')
    .alias('list')
    .option('-q, --quiet', 'only display volume names')
    .option('--format <format>', "'table' or 'json'")
    .action(async (o: { quiet?: boolean; format?: string }) => {
      const c = ctx();
      const r = await c.agent().json<{ Volumes: VolumeInfo[] }>({ path: '/volumes' });
      if (o.quiet) return void c.out.write(r.Volumes.map((v) => `${v.Name}\n`).join(''));
      if (o.format === 'json') return void c.out.write(renderJsonLines(r.Volumes));
      c.out.write(
        renderTable(
          ['DRIVER', 'VOLUME NAME'],
          r.Volumes.map((v) => [v.Driver, v.Name]),
        ),
      );
    });
  volume
    .command('inspect')
    .argument('<name...>')
    .action(async (names: string[]) => {
      const c = ctx();
      const out = [];
      for (const n of names) out.push(await c.agent().json<VolumeInfo>({ path: `/volumes/${n}` }));
      c.out.write(`${JSON.stringify(out, null, 4)}\n`);
    });
  volume
    .command('rm')
    .alias('remove')
    .argument('<name...>')
    .option('-f, --force', 'force the removal of one or more volumes')
    .action(async (names: string[], o: { force?: boolean }) => {
      const c = ctx();
      for (const n of names) {
        await c.agent().json({
          method: 'DELETE',
          path: `/volumes/${n}`,
          query: { force: o.force ? 1 : undefined },
        });
        c.out.write(`${n}\n`);
      }
    });
}
