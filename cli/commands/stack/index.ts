// `flotilla stack ...`: deploy services from Compose files. `config` works offline; deploy, ls,
// services, ps and rm go to the manager (TODO(stack): wire them once cli/clients/manager-client.ts
// exists; shared/stack's loadStack() already returns the specs to send).
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { collect } from '../../repeatable.js';
import { runStackConfig, type StackConfigOptions } from './config.js';

export function registerStackCommands(program: Command, ctx: () => CliContext): void {
  const stack = program
    .command('stack')
    .description('Manage stacks of services from Compose files');
  stack
    .command('config')
    .description('Print the merged, interpolated and normalised stack file')
    .option(
      '-c, --compose-file <file>',
      'path to a Compose file (repeatable, merged in order)',
      collect,
    )
    .action((opts: StackConfigOptions) => runStackConfig(ctx(), opts));
}
