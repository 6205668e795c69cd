// `flotilla network create|ls|inspect|rm|connect|disconnect|prune`: overlay networks on the manager
// (cluster-networks.ts, with a cluster context and no -H), bridge networks through the agent's
// /networks routes. Output follows `docker network`.
import { renderTableOr } from '../../format/render.js';
import type { Command } from 'commander';
import type { NetworkInfo } from '../../../shared/engine/index.js';
import type { CliContext } from '../../context.js';
import { collect } from '../../repeatable.js';
import { renderJsonLines } from '../../render/table.js';
import {
  createClusterNetwork,
  inspectClusterNetworks,
  listClusterNetworks,
  pruneClusterNetworks,
  removeClusterNetworks,
  usesCluster,
  type ClusterNetworkCreateFlags,
} from './cluster-networks.js';

const labelsOf = (list: string[] = []) =>
  Object.fromEntries(list.map((l) => [l.split('=')[0], l.split('=').slice(1).join('=')]));

export function registerNetworkCommands(program: Command, ctx: () => CliContext): void {
  const network = program.command('network').description('Manage networks');
  network
    .command('create')
    .description('Create a network')
    .argument('<name>')
    .option(
      '--subnet <cidr>',
      'subnet in CIDR format (bridge: from 10.241.0.0/16, overlay: from 10.10.0.0/16 when omitted)',
    )
    .option('-d, --driver <driver>', 'bridge (on an agent) or overlay (on the cluster)', 'bridge')
    .option('--gateway <ip>', 'overlay: gateway of the subnet (default its first address)')
    .option('--attachable', 'overlay: standalone containers may attach')
    .option('--internal', 'overlay: no access to the outside of the cluster')
    .option('-o, --opt <K=V>', 'overlay: driver options (encrypted)', collect)
    .option('-l, --label <K=V>', 'set metadata on a network', collect)
    .action(async (name: string, o: ClusterNetworkCreateFlags & { driver: string }) => {
      const c = ctx();
      const { FlotillaError } = await import('../../../shared/errors/index.js');
      if (o.driver === 'overlay') {
        if (!usesCluster(c))
          throw new FlotillaError('INVALID_FLAG_VALUE', {
            value: o.driver,
            flag: '--driver',
            reason: 'overlay networks are created on a manager: use a cluster context, not -H',
          });
        return createClusterNetwork(c, name, o, labelsOf(o.label));
      }
      if (o.driver !== 'bridge')
        throw new FlotillaError('INVALID_FLAG_VALUE', {
          value: o.driver,
          flag: '--driver',
          reason: 'must be bridge or overlay',
        });
      for (const [flag, v] of [
        ['--gateway', o.gateway],
        ['--attachable', o.attachable],
        ['--internal', o.internal],
        ['--opt', o.opt],
      ] as const)
        if (v !== undefined)
          throw new FlotillaError('INVALID_FLAG_VALUE', {
            value: String(v),
            flag,
            reason: 'supported for -d overlay only',
          });
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
    .option('--format <format>', "'table', 'json' or a Go template")
    .action(async (o: { quiet?: boolean; trunc: boolean; format?: string }) => {
      const c = ctx();
      if (usesCluster(c)) return listClusterNetworks(c, o);
      const nets = await c.agent().json<NetworkInfo[]>({ path: '/networks' });
      const id = (n: NetworkInfo) => (o.trunc ? n.id.slice(0, 12) : n.id);
      if (o.quiet) return void c.out.write(nets.map((n) => `${id(n)}\n`).join(''));
      if (o.format === 'json') return void c.out.write(renderJsonLines(nets));
      c.out.write(
        renderTableOr(
          o.format,
          ['ID', 'Name', 'Driver', 'Scope', 'Subnet'],
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
      if (usesCluster(c)) return inspectClusterNetworks(c, names);
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
      if (usesCluster(c)) return removeClusterNetworks(c, names);
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
      if (usesCluster(c)) return pruneClusterNetworks(c);
      const r = await c
        .agent()
        .json<{ NetworksDeleted: string[] }>({ method: 'POST', path: '/networks/prune' });
      if (r.NetworksDeleted.length)
        c.out.write(`Deleted Networks:\n${r.NetworksDeleted.map((n) => `${n}\n`).join('')}`);
    });
}
