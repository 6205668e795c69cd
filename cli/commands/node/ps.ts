// `flotilla node ps NODE...`: the tasks the manager has assigned to one or more nodes, with the
// columns of `docker node ps` (the same rows as `service ps`). NODE is an id, an id prefix or a
// hostname; there is no implicit "self", since the CLI talks to a manager, not to a node.
import { renderTableOr } from '../../format/render.js';
import type { Command } from 'commander';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Node, Service, Task } from '../../../shared/model/index.js';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';
import { taskRows } from '../../render/services.js';
import { renderJsonLines } from '../../render/table.js';
import { collect } from '../../repeatable.js';

const desiredStates = ['running', 'shutdown', 'remove'];

export function registerNodePs(node: Command, ctx: () => CliContext): void {
  node
    .command('ps')
    .description('List tasks running on one or more nodes')
    .argument('<node...>')
    .option('-q, --quiet', 'only display task IDs')
    .option('--format <format>', "'json' (one JSON document per line) or a Go template")
    .option('-f, --filter <filter>', 'desired-state=running|shutdown|remove (repeatable)', collect)
    .action(async (refs: string[], o: { quiet?: boolean; format?: string; filter?: string[] }) => {
      const desiredState = parseFilters(o.filter ?? []);
      const client = managerClient(ctx());
      const nodes: Node[] = [];
      const tasks: Task[] = [];
      for (const r of refs) {
        const n = await client.json<Node>({ path: `/nodes/${encodeURIComponent(r)}` });
        nodes.push(n);
        tasks.push(
          ...(await client.json<Task[]>({ path: '/tasks', query: { node: n.id, desiredState } })),
        );
      }
      const out = ctx().out;
      if (o.quiet) return void out.write(tasks.map((t) => t.id + '\n').join(''));
      if (o.format === 'json') return void out.write(renderJsonLines(tasks));
      const services = new Map(
        (await client.json<Service[]>({ path: '/services' })).map((s) => [s.id, s]),
      );
      out.write(
        renderTableOr(
          o.format,
          ['ID', 'Name', 'Image', 'Node', 'DesiredState', 'CurrentState', 'Error', 'Ports'],
          ['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR', 'PORTS'],
          taskRows(tasks, services, new Map(nodes.map((n) => [n.id, n]))),
        ),
      );
    });
}

/** Only desired-state is understood; anything else is refused by name rather than ignored. */
function parseFilters(filters: string[]): string | undefined {
  let desired: string | undefined;
  for (const f of filters) {
    const i = f.indexOf('=');
    const [key, value] = i < 0 ? [f, ''] : [f.slice(0, i), f.slice(i + 1)];
    if (key !== 'desired-state')
      throw new FlotillaError('INVALID_FLAG_VALUE', {
        flag: '--filter',
        value: f,
        reason: 'the only filter is desired-state=running|shutdown|remove',
      });
    if (!desiredStates.includes(value))
      throw new FlotillaError('INVALID_FLAG_VALUE', {
        flag: '--filter',
        value: f,
        reason: 'desired-state must be running, shutdown or remove',
      });
    desired = value;
  }
  return desired;
}
