// Every command group of the CLI. Each group lives in cli/commands/<noun>/ and registers its verbs;
// add one entry here per group, naming the top-level commands it registers (index.test.ts checks
// the names). main.ts loads only the groups that register the command being run, so `run` does not
// pay for the stack loader (yaml), the build context packer (tar-stream) or the manager client.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { commandName, daemonCommands } from '../command-name.js';

export type Register = (program: Command, ctx: () => CliContext) => void;

export interface CommandGroup {
  /** Top-level commands the group registers or adds subcommands to. */
  names: string[];
  load(): Promise<Register>;
}

// Order matters: build adds `image build` and `container commit|export`, and cp `container cp`, to
// the image and container groups, so they come after them.
export const commandGroups: CommandGroup[] = [
  {
    names: [...daemonCommands],
    load: async () => (await import('./daemon/index.js')).registerDaemonCommands,
  },
  {
    names: [
      'create',
      'run',
      'start',
      'attach',
      'exec',
      'stop',
      'restart',
      'kill',
      'rm',
      'pause',
      'unpause',
      'rename',
      'update',
      'wait',
      'ps',
      'inspect',
      'top',
      'port',
      'stats',
      'events',
      'logs',
      'diff',
      'volume',
      'container',
    ],
    load: async () => (await import('./container/index.js')).registerContainerCommands,
  },
  {
    names: ['network'],
    load: async () => (await import('./network/index.js')).registerNetworkCommands,
  },
  {
    names: [
      'pull',
      'push',
      'images',
      'history',
      'rmi',
      'tag',
      'save',
      'load',
      'import',
      'search',
      'login',
      'logout',
      'image',
    ],
    load: async () => (await import('./image/index.js')).registerImageCommands,
  },
  { names: ['stack'], load: async () => (await import('./stack/index.js')).registerStackCommands },
  {
    names: ['cluster'],
    load: async () => (await import('./cluster/index.js')).registerClusterCommands,
  },
  { names: ['node'], load: async () => (await import('./node/index.js')).registerNodeCommands },
  {
    names: ['secret', 'config'],
    load: async () => (await import('./secret/index.js')).registerSecretCommands,
  },
  {
    names: ['service'],
    load: async () => (await import('./service/index.js')).registerServiceCommands,
  },
  {
    names: ['version', 'info', 'system'],
    load: async () => (await import('./system/index.js')).registerSystemCommands,
  },
  {
    names: ['dashboard'],
    load: async () => (await import('./dashboard/index.js')).registerDashboardCommands,
  },
  {
    names: ['context'],
    load: async () => (await import('./context/index.js')).registerContextCommands,
  },
  {
    names: ['build', 'commit', 'export', 'image', 'container'],
    load: async () => (await import('./build/index.js')).registerBuildCommands,
  },
  {
    names: ['cp', 'container'],
    load: async () => (await import('./copy/index.js')).registerCopyCommands,
  },
];

/**
 * The groups to load for argv: those that register its command, or all of them when there is
 * no command or an unknown one (help, version and "unknown command" need the full list).
 */
export function groupsFor(argv: string[]): CommandGroup[] {
  const command = commandName(argv);
  const chosen = command ? commandGroups.filter((g) => g.names.includes(command)) : [];
  return chosen.length ? chosen : commandGroups;
}
