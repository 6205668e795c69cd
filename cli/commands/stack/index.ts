// `flotilla stack ...`: deploy services from Compose files. `config` works offline; deploy, ls,
// services, ps and rm go to the manager.
import type { Command } from 'commander';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';
import { collect } from '../../repeatable.js';
import { runStackConfig, type StackConfigOptions } from './config.js';
import { runStackDeploy, type StackDeployOptions } from './deploy.js';
import { removeStacks, runStackLs, runStackPs, runStackServices } from './list.js';

/** `--detach`, `--detach=false`: docker's boolean flag with an optional value. `-d` is separate so
 *  that `-d NAME` never takes NAME as the flag's value. */
function bool(v: string): boolean {
  return !['false', '0', 'no'].includes(v.toLowerCase());
}

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
  stack
    .command('deploy')
    .alias('up')
    .description('Deploy a new stack or update an existing stack')
    .argument('<stack>')
    .option('-c, --compose-file <file>', 'path to a Compose file (repeatable)', collect)
    .option('--prune', 'remove services of the stack that are no longer in the files')
    .option('--detach [bool]', 'exit immediately instead of waiting for convergence', bool)
    .option('-d', 'same as --detach')
    .option('-q, --quiet', 'suppress progress output')
    .option('--dry-run', 'print what would be created, updated and removed; change nothing')
    .option('--with-registry-auth', 'send registry authentication details to swarm agents')
    .option(
      '--resolve-image <mode>',
      'query the registry to resolve image digests: always, changed or never',
      'always',
    )
    .action((name: string, o: StackDeployOptions & { d?: boolean }) =>
      runStackDeploy(ctx(), name, { ...o, detach: o.d || o.detach }),
    );
  stack
    .command('ls')
    .alias('list')
    .description('List stacks')
    .option('--format <format>', "'json' (one JSON document per line) or a Go template")
    .action((o: { format?: string }) => runStackLs(ctx(), o));
  stack
    .command('services')
    .description('List the services in the stack')
    .argument('<stack>')
    .option('-q, --quiet', 'only display IDs')
    .option('--format <format>', "'json' (one JSON document per line) or a Go template")
    .action((name: string, o: { quiet?: boolean; format?: string }) =>
      runStackServices(ctx(), name, o),
    );
  stack
    .command('ps')
    .description('List the tasks in the stack')
    .argument('<stack>')
    .option('-q, --quiet', 'only display task IDs')
    .option('--format <format>', "'json' (one JSON document per line) or a Go template")
    .action((name: string, o: { quiet?: boolean; format?: string }) => runStackPs(ctx(), name, o));
  stack
    .command('rm')
    .alias('remove')
    .alias('down')
    .description('Remove one or more stacks')
    .argument('<stack...>')
    .option('--detach [bool]', 'do not wait for the tasks of the stack to be removed', bool)
    .option('-d', 'same as --detach')
    .action((names: string[], o: { detach?: boolean; d?: boolean }) =>
      removeStacks(managerClient(ctx()), names, {
        out: ctx().out,
        // Docker's default is detached; --detach=false waits until the tasks are gone.
        wait: o.detach === false && !o.d,
      }),
    );
}
