// `flotilla network create|ls|inspect|rm|connect|disconnect|prune`, through the agent's /networks
// routes. Output follows `docker network`.
import type { Command } from 'commander';
import type { NetworkInfo } from '../../../shared/engine/index.js';
import type { CliContext } from '../../context.js';
import { collect } from '../../repeatable.js';
import { renderJsonLines, renderTable } from '../../render/table.js';

const labelsOf = (list: string[] = []) =>
  Object.fromEntries(list.map((l) => [l.split('=')[0], l.split('=').slice(1).join('=')]));

export function registerNetworkCommands(program: Command, ctx: () => CliContext): void {
  const network = program.command('network').description('Manage networks');
  network
    .command('create')
    .description('Create a network')
    .argument('<name>')
    .option('--subnet <cidr>', 'subnet in CIDR format (picked from 10.241.0.0/16 when omitted)')
    .option('-d, --driver <driver>', 'driver to manage the network (only bridge)', 'bridge')
    .option('-l, --label <K=V>', 'set metadata on a network', collect)
    .action(async (name: string, o: { subnet?: string; driver: string; label?: string[] }) => {
      const c = ctx();
      if (o.driver !== 'bridge') {
        const { FlotillaError } = await import('../../../shared/errors/index.js');
        throw new FlotillaError('INVALID_FLAG_VALUE', {
          value: o.driver,
          flag: '--driver',
          reason: 'only the bridge driver is supported',
        });
      }
      const info = await c.agent().json<NetworkInfo>({
        method: 'POST',
        path: '/networks/create',
        body: { name, subnet: o.subnet, labels: labelsOf(o.label) },
      });
      c.out.write(`${info.id}\n`);
    });
  network
    .command('ls')
    .alias('list')
    .description('List networks')
    .option('-q, --quiet', 'only display network IDs')
    .option('--no-trunc', 'do not truncate the output')
    .option('--format <format>', "'table' or 'json'")
    .action(async (o: { quiet?: boolean; trunc: boolean; format?: string }) => {
      const c = ctx();
      const nets = await c.agent().json<NetworkInfo[]>({ path: '/networks' });
      const id = (n: NetworkInfo) => (o.trunc ? n.id.slice(0, 12) : n.id);
      if (o.quiet) return void c.out.write(nets.map((n) => `${id(n)}\n`).join(''));
      if (o.format === 'json') return void c.out.write(renderJsonLines(nets));
      c.out.write(
        renderTable(
          ['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE', 'SUBNET'],
          nets.map((n) => [id(n), n.name, n.driver, n.scope, n.subnet ?? '']),
        ),
      );
    });
  network
    .command('inspect')
    .description('Display detailed information on one or more networks')
    .argument('<network...>')
    .action(async (names: string[]) => {
      const c = ctx();
      const out = [];
      for (const n of names)
        out.push(await c.agent().json<NetworkInfo>({ path: `/networks/${encodeURIComponent(n)}` }));
      c.out.write(`${JSON.stringify(out, null, 4)}\n`);
    });
  network
    .command('rm')
    .alias('remove')
    .description('Remove one or more networks')
    .argument('<network...>')
    .action(async (names: string[]) => {
      const c = ctx();
      for (const n of names) {
        await c.agent().json({ method: 'DELETE', path: `/networks/${encodeURIComponent(n)}` });
        c.out.write(`${n}\n`);
      }
    });
  network
    .command('connect')
    .description('Connect a container to a network')
    .argument('<network>')
    .argument('<container>')
    .option('--alias <alias>', 'add network-scoped alias for the container', collect)
    .action(async (net: string, container: string, o: { alias?: string[] }) => {
      await ctx()
        .agent()
        .json({
          method: 'POST',
          path: `/networks/${encodeURIComponent(net)}/connect`,
          body: { container, aliases: o.alias ?? [] },
        });
    });
  network
    .command('disconnect')
    .description('Disconnect a container from a network')
    .argument('<network>')
    .argument('<container>')
    .option('-f, --force', 'accepted for compatibility')
    .action(async (net: string, container: string) => {
      await ctx()
        .agent()
        .json({
          method: 'POST',
          path: `/networks/${encodeURIComponent(net)}/disconnect`,
          body: { container },
        });
    });
  network
    .command('prune')
    .description('Remove all unused networks')
    .option('-f, --force', 'do not prompt for confirmation')
    .action(async () => {
      const c = ctx();
      const r = await c
        .agent()
        .json<{ removed: string[] }>({ method: 'POST', path: '/networks/prune' });
      if (r.removed.length)
        c.out.write(`Deleted Networks:\n${r.removed.map((n) => `${n}\n`).join('')}`);
    });
}
