// `system prune [-a] [--volumes] [-f]`: Docker's four prunes in its order (stopped containers,
// unused networks of this engine, anonymous volumes with --volumes, dangling or with -a all unused
// images) through the same routes as each `… prune`, with Docker's prompt and report. Flotilla's
// builder keeps no cache apart from images, so the build-cache lines are not shown.
import type { Command } from 'commander';
import { formatBytes } from '../../../shared/units/index.js';
import { confirm } from '../../confirm.js';
import type { CliContext } from '../../context.js';

interface Removed {
  Untagged?: string;
  Deleted?: string;
}

function warning(o: { all?: boolean; volumes?: boolean }): string {
  const lines = [
    'all stopped containers',
    'all networks not used by at least one container',
    ...(o.volumes ? ['all anonymous volumes not used by at least one container'] : []),
    o.all ? 'all images without at least one container associated to them' : 'all dangling images',
  ];
  return `This will remove:\n${lines.map((l) => `  - ${l}`).join('\n')}\n`;
}

const section = (title: string, lines: string[]) =>
  lines.length ? `${title}:\n${lines.map((l) => `${l}\n`).join('')}\n` : '';

export function registerSystemPruneCommand(system: Command, ctx: () => CliContext): void {
  system
    .command('prune')
    .description('Remove unused data')
    .option('-a, --all', 'remove all unused images not just dangling ones')
    .option('--volumes', 'prune anonymous volumes')
    .option('-f, --force', 'do not prompt for confirmation')
    .action(async (o: { all?: boolean; volumes?: boolean; force?: boolean }) => {
      const c = ctx();
      if (!o.force && !(await confirm(c, warning(o)))) return;
      const agent = c.agent();
      let reclaimed = 0;
      const ctrs = await agent.json<{ ContainersDeleted: string[] }>({
        method: 'POST',
        path: '/containers/prune',
      });
      c.out.write(section('Deleted Containers', ctrs.ContainersDeleted ?? []));
      const nets = await agent.json<{ NetworksDeleted: string[] }>({
        method: 'POST',
        path: '/networks/prune',
      });
      c.out.write(section('Deleted Networks', nets.NetworksDeleted ?? []));
      if (o.volumes) {
        const vols = await agent.json<{ VolumesDeleted: string[]; SpaceReclaimed: number }>({
          method: 'POST',
          path: '/volumes/prune',
          query: { filters: '{}' },
        });
        reclaimed += vols.SpaceReclaimed ?? 0;
        c.out.write(section('Deleted Volumes', vols.VolumesDeleted ?? []));
      }
      const imgs = await agent.json<{ ImagesDeleted: Removed[]; SpaceReclaimed: number }>({
        method: 'POST',
        path: '/images/prune',
        query: { all: o.all ? true : undefined },
      });
      reclaimed += imgs.SpaceReclaimed ?? 0;
      c.out.write(
        section(
          'Deleted Images',
          (imgs.ImagesDeleted ?? []).map((r) =>
            r.Untagged ? `untagged: ${r.Untagged}` : `deleted: ${r.Deleted}`,
          ),
        ),
      );
      c.out.write(`Total reclaimed space: ${formatBytes(reclaimed)}\n`);
    });
}
