// `flotilla agent` and `flotilla manager`: the long-running processes share the one executable.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { collect } from '../../repeatable.js';

export function registerDaemonCommands(program: Command, _ctx: () => CliContext): void {
  program
    .command('agent')
    .description('Run the agent: the container engine of this machine')
    .option('--data-root <dir>', 'root of persistent state (default /var/lib/flotilla)')
    .option('--exec-root <dir>', 'root of runtime state and sockets (default /run/flotilla)')
    .option('--config-file <file>', 'JSON config file (default /etc/flotilla/agent.json)')
    .option(
      '--insecure-registry <host:port>',
      'registry to reach over plain HTTP (repeatable)',
      collect,
    )
    .option('--join <addr>', 'manager address (ADDR:4242) to join')
    .option('--token <token>', 'join token printed by `flotilla cluster join-token`')
    .option('--node-subnet <cidr>', 'container subnet of this machine')
    .option('--advertise-addr <ip>', 'address other nodes reach this node at')
    .option('--hostname <name>', 'node hostname reported to the manager')
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { runAgent } = await import('../../../agent/index.js');
      const host = (cmd.parent?.opts() as { host?: string }).host;
      await runAgent({ ...opts, host });
    });
}
