// Every command group of the CLI. Each group lives in cli/commands/<noun>/ and registers its verbs;
// add one line here per group.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerContainerCommands } from './container/index.js';
import { registerDaemonCommands } from './daemon/index.js';
import { registerImageCommands } from './image/index.js';
import { registerStackCommands } from './stack/index.js';
import { registerNetworkCommands } from './network/index.js';
import { registerClusterCommands } from './cluster/index.js';
import { registerNodeCommands } from './node/index.js';
import { registerServiceCommands } from './service/index.js';
import { registerContextCommands } from './context/index.js';
import { registerBuildCommands } from './build/index.js';

export type Register = (program: Command, ctx: () => CliContext) => void;

export const commandGroups: Register[] = [
  registerDaemonCommands,
  registerContainerCommands,
  registerNetworkCommands,
  registerImageCommands,
  registerStackCommands,
  registerClusterCommands,
  registerNodeCommands,
  registerServiceCommands,
  registerContextCommands,
  registerBuildCommands,
];
