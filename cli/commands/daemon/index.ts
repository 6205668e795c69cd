// `flotilla agent` and `flotilla manager`: the long-running processes share the one executable.
// Their flags come from the tables in agent-flags.ts and manager-flags.ts, which bind each flag to
// the setting it sets.
import type { Command } from 'commander';
import type { AgentFlagSettings } from '../../../agent/index.js';
import type { ManagerFlagSettings } from '../../../manager/index.js';
import type { CliContext } from '../../context.js';
import { ContextStore } from '../../contexts/index.js';
import { agentFlags } from './agent-flags.js';
import { defineFlags, settingsFromFlags } from './flag-table.js';
import { managerFlags } from './manager-flags.js';

/** The agent settings `flotilla agent`'s command line gives (with the CLI's -H, the agent socket). */
export function agentSettingsOf(cmd: Command): Partial<AgentFlagSettings> {
  const host = (cmd.parent?.opts() as { host?: string } | undefined)?.host;
  return { ...settingsFromFlags(cmd, agentFlags), ...(host ? { host } : {}) };
}

/** The manager settings `flotilla manager`'s command line gives. */
export function managerSettingsOf(cmd: Command): Partial<ManagerFlagSettings> {
  return settingsFromFlags(cmd, managerFlags);
}

export function registerDaemonCommands(program: Command, _ctx: () => CliContext): void {
  const agent = program
    .command('agent')
    .description('Run the agent: the container engine of this machine');
  defineFlags(agent, agentFlags).action(async (_opts: unknown, cmd: Command) => {
    const { runAgent } = await import('../../../agent/index.js');
    await runAgent(agentSettingsOf(cmd));
  });

  // Docker has no equivalent (its daemon cleans up at start); named after the process it serves.
  agent
    .command('cleanup')
    .description(
      'Remove what a stopped agent left on this machine (containers, mounts, cgroups, network ' +
        'namespaces, bridges, iptables chains); refused while that agent runs',
    )
    .option('--data-root <dir>', 'data root of the agent (default /var/lib/flotilla)')
    .option('--exec-root <dir>', 'exec root of the agent (default /run/flotilla)')
    .option('--config-file <file>', 'JSON config file (default /etc/flotilla/agent.json)')
    .action(
      async (opts: { dataRoot?: string; execRoot?: string; configFile?: string }, cmd: Command) => {
        const { runAgentCleanup } = await import('../../../agent/index.js');
        const host = (cmd.parent?.parent?.opts() as { host?: string }).host;
        const lines = await runAgentCleanup({ ...opts, ...(host ? { host } : {}) });
        for (const line of lines) process.stdout.write(`${line}\n`);
        if (!lines.length) process.stdout.write('nothing to remove\n');
      },
    );

  defineFlags(
    program
      .command('manager')
      .description('Run a manager: cluster store, API, CA and (when leader) the reconcilers'),
    managerFlags,
  ).action(async (_opts: unknown, cmd: Command) => {
    const { runManager } = await import('../../../manager/index.js');
    const manager = await runManager(managerSettingsOf(cmd), {
      onInitialized: ({ clusterId, clusterName, apiAddr, admin }) => {
        // The CLI on this machine works at once: an admin context, made current.
        const contexts = new ContextStore();
        const name = clusterName;
        contexts.save({ name, clusterId, managers: [apiAddr] }, admin);
        contexts.use(name);
        process.stderr.write(
          `Cluster ${clusterId} initialised; CLI context "${name}" written to ${contexts.dir}.\n` +
            'To add a worker, run `flotilla cluster join-token worker` on this machine.\n',
        );
      },
    });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await manager.stop();
    process.exit(0);
  });
}
