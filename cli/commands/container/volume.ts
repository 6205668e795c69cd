// volume create, ls, rm, inspect.
import { renderTableOr } from '../../format/render.js';
import type { Command } from 'commander';
import type { VolumeInfo } from '../../../shared/engine/index.js';
import type { CliContext } from '../../context.js';
import { collect } from '../../repeatable.js';
import { confirm } from '../../confirm.js';
import { formatBytes } from '../../../shared/units/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import { renderJsonLines } from '../../render/table.js';

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
    .option('--format <format>', "'table', 'json' or a Go template")
    .action(async (o: { quiet?: boolean; format?: string }) => {
      const c = ctx();
      const r = await c.agent().json<{ Volumes: VolumeInfo[] }>({ path: '/volumes' });
      if (o.quiet) return void c.out.write(r.Volumes.map((v) => `${v.Name}\n`).join(''));
      if (o.format === 'json') return void c.out.write(renderJsonLines(r.Volumes));
      c.out.write(
        renderTableOr(
          o.format,
          ['Driver', 'Name'],
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
  volume
    .command('prune')
    .description('Remove unused local volumes')
    .option('-a, --all', 'remove all unused volumes, not just anonymous ones')
    .option('--filter <filter>', 'provide filter values (label=KEY[=VALUE], label!=…)', collect)
    .option('-f, --force', 'do not prompt for confirmation')
    .action(async (o: { all?: boolean; force?: boolean; filter?: string[] }) => {
      const c = ctx();
      const what = o.all
        ? 'This will remove all local volumes not used by at least one container.'
        : 'This will remove anonymous local volumes not used by at least one container.';
      if (!o.force && !(await confirm(c, what))) return;
      const filters: Record<string, string[]> = o.all ? { all: ['true'] } : {};
      for (const f of o.filter ?? []) {
        const [k, v = ''] = f.split(/=(.*)/);
        if (k !== 'label' && k !== 'label!')
          throw new FlotillaError('INVALID_FLAG_VALUE', {
            flag: '--filter',
            value: f,
            reason: 'volume prune filters are label=KEY[=VALUE] and label!=KEY[=VALUE]',
          });
        (filters[k] ??= []).push(v);
      }
      const r = await c.agent().json<{ VolumesDeleted: string[]; SpaceReclaimed: number }>({
        method: 'POST',
        path: '/volumes/prune',
        query: { filters: JSON.stringify(filters) },
      });
      if (r.VolumesDeleted.length)
        c.out.write(`Deleted Volumes:\n${r.VolumesDeleted.map((v) => `${v}\n`).join('')}\n`);
      c.out.write(`Total reclaimed space: ${formatBytes(r.SpaceReclaimed)}\n`);
    });
}
