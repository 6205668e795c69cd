// `flotilla context ls|use`: which cluster the cluster commands talk to.
import type { Command } from 'commander';
import { ContextStore } from '../../contexts/index.js';
import type { CliContext } from '../../context.js';
import { renderJsonLines, renderTable } from '../../render/table.js';

export function registerContextCommands(program: Command, ctx: () => CliContext): void {
  const context = program.command('context').description('Manage cluster contexts');

  context
    .command('ls')
    .alias('list')
    .description('List contexts')
    .option('--format <format>', 'json for one JSON document per line')
    .action((o: { format?: string }) => {
      const store = new ContextStore();
      const current = ctx().contextName ?? store.current();
      const list = store.list();
      if (o.format === 'json') return void ctx().out.write(renderJsonLines(list));
      ctx().out.write(
        renderTable(
          ['NAME', 'CLUSTER', 'MANAGERS'],
          list.map((c) => [
            c.name + (c.name === current ? ' *' : ''),
            c.clusterId,
            c.managers.join(','),
          ]),
        ),
      );
    });

  context
    .command('use')
    .description('Set the current context')
    .argument('<name>')
    .action((name: string) => {
      new ContextStore().use(name);
      ctx().out.write(`${name}\nCurrent context is now "${name}"\n`);
    });
}
