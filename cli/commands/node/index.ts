// `flotilla node ls|inspect|ps|update|rm|promote|demote`.
import { renderTableOr } from '../../format/render.js';
import type { Command } from 'commander';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Node } from '../../../shared/model/index.js';
import { formatBytes } from '../../../shared/units/index.js';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';
import { renderJsonLines } from '../../render/table.js';
import { collect } from '../../repeatable.js';
import { registerNodePs } from './ps.js';

export function registerNodeCommands(program: Command, ctx: () => CliContext): void {
  const node = program.command('node').description('Manage cluster nodes');

  node
    .command('ls')
    .alias('list')
    .description('List nodes in the cluster')
    .option('-q, --quiet', 'only display IDs')
    .option('--format <format>', "'json' (one JSON document per line) or a Go template")
    .action(async (o: { quiet?: boolean; format?: string }) => {
      const nodes = await managerClient(ctx()).json<Node[]>({ path: '/nodes' });
      const out = ctx().out;
      if (o.quiet) return void out.write(nodes.map((n) => n.id + '\n').join(''));
      if (o.format === 'json') return void out.write(renderJsonLines(nodes));
      out.write(
        renderTableOr(
          o.format,
          ['ID', 'Hostname', 'Status', 'Availability', 'ManagerStatus', 'EngineVersion'],
          ['ID', 'HOSTNAME', 'STATUS', 'AVAILABILITY', 'MANAGER STATUS', 'ENGINE VERSION'],
          nodes.map((n) => [
            n.id,
            n.description.hostname,
            cap(n.status.state),
            cap(n.spec.availability),
            managerStatusText(n),
            n.description.engineVersion,
          ]),
        ),
      );
    });

  node
    .command('inspect')
    .description('Display detailed information on one or more nodes')
    .argument('<node...>')
    .option('--pretty', 'print the information in a human friendly format')
    .action(async (refs: string[], o: { pretty?: boolean }) => {
      const client = managerClient(ctx());
      const nodes: Node[] = [];
      for (const r of refs)
        nodes.push(await client.json<Node>({ path: `/nodes/${encodeURIComponent(r)}` }));
      if (!o.pretty) return void ctx().out.write(JSON.stringify(nodes, null, 4) + '\n');
      ctx().out.write(nodes.map(pretty).join('\n'));
    });

  registerNodePs(node, ctx);

  node
    .command('update')
    .description('Update a node')
    .argument('<node>')
    .option('--availability <a>', 'active, pause or drain')
    .option('--role <role>', 'worker or manager')
    .option('--label-add <k=v>', 'add or update a node label (repeatable)', collect)
    .option('--label-rm <k>', 'remove a node label (repeatable)', collect)
    .action(
      async (
        ref: string,
        o: { availability?: string; role?: string; labelAdd?: string[]; labelRm?: string[] },
      ) => {
        if (o.availability && !['active', 'pause', 'drain'].includes(o.availability))
          throw new FlotillaError('INVALID_FLAG_VALUE', {
            flag: '--availability',
            value: o.availability,
            reason: 'must be active, pause or drain',
          });
        const labelAdd = Object.fromEntries(
          (o.labelAdd ?? []).map((kv) => {
            const i = kv.indexOf('=');
            return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)];
          }),
        );
        await update(ctx, ref, {
          availability: o.availability,
          role: o.role,
          labelAdd,
          labelRm: o.labelRm ?? [],
        });
        ctx().out.write(`${ref}\n`);
      },
    );

  for (const [verb, role] of [
    ['promote', 'manager'],
    ['demote', 'worker'],
  ] as const) {
    node
      .command(verb)
      .description(`${verb === 'promote' ? 'Promote' : 'Demote'} one or more nodes`)
      .argument('<node...>')
      .action(async (refs: string[]) => {
        for (const r of refs) {
          await update(ctx, r, { role });
          ctx().out.write(`Node ${r} ${verb}d to a ${role} in the swarm.\n`);
        }
      });
  }

  node
    .command('rm')
    .alias('remove')
    .description('Remove one or more nodes from the cluster')
    .argument('<node...>')
    .option('-f, --force', 'remove a node that is still ready')
    .action(async (refs: string[], o: { force?: boolean }) => {
      const client = managerClient(ctx());
      for (const r of refs) {
        await client.json({
          method: 'DELETE',
          path: `/nodes/${encodeURIComponent(r)}`,
          query: { force: o.force ? true : undefined },
        });
        ctx().out.write(`${r}\n`);
      }
    });
}

async function update(ctx: () => CliContext, ref: string, body: Record<string, unknown>) {
  await managerClient(ctx()).json({
    method: 'POST',
    path: `/nodes/${encodeURIComponent(ref)}/update`,
    body: Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)),
  });
}

/** Docker's MANAGER STATUS column: Leader, Reachable or Unreachable; blank for workers. */
export function managerStatusText(n: Node): string {
  const m = n.managerStatus;
  if (!m) return '';
  return m.leader ? 'Leader' : cap(m.reachability);
}

function cap(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

function pretty(n: Node): string {
  return (
    [
      `ID:\t\t\t${n.id}`,
      ...(Object.keys(n.spec.labels).length
        ? ['Labels:', ...Object.entries(n.spec.labels).map(([k, v]) => ` - ${k}=${v}`)]
        : []),
      `Hostname:\t\t${n.description.hostname}`,
      `Joined at:\t\t${n.createdAt}`,
      'Status:',
      ` State:\t\t\t${cap(n.status.state)}`,
      ` Availability:\t\t${cap(n.spec.availability)}`,
      ` Address:\t\t${n.description.addr}`,
      ...(n.managerStatus
        ? [
            'Manager Status:',
            ` Address:\t\t${n.managerStatus.addr}`,
            ` Raft Status:\t\t${cap(n.managerStatus.reachability)}`,
            ` Leader:\t\t${n.managerStatus.leader ? 'Yes' : 'No'}`,
          ]
        : []),
      'Platform:',
      ` Operating System:\t${n.description.platform.os}`,
      ` Architecture:\t\t${n.description.platform.architecture}`,
      'Resources:',
      ` CPUs:\t\t\t${n.description.resources.nanoCpus / 1e9}`,
      ` Memory:\t\t${formatBytes(n.description.resources.memoryBytes)}`,
      `Engine Version:\t\t${n.description.engineVersion}`,
      ...tlsLines(n),
    ].join('\n') + '\n'
  );
}

/** Docker's `TLS Info` block, from what the agent reported about its certificate. */
function tlsLines(n: Node): string[] {
  const t = n.description.tlsInfo;
  if (!t) return [];
  return [
    'TLS Info:',
    ` Certificate Expiry:\t${t.certNotAfter}`,
    ` Issuer Public Key:\tsha256:${t.issuerKeyDigest}`,
    ` Trust Roots:\t\t${t.trustDigests.map((d) => `sha256:${d}`).join(', ')}`,
  ];
}
