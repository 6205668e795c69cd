// Container and volume commands: the top-level verbs Docker users type (run, ps, logs, exec …)
// plus the `container` group (container prune, container ls …) and `volume`.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { registerDiffCommand } from './diff.js';
import { registerExecCommand } from './exec.js';
import { registerLifecycleCommands, registerPruneCommand } from './lifecycle.js';
import { registerInspectCommand } from './inspect.js';
import { registerQueryCommands } from './query.js';
import { registerRunCommands } from './run.js';
import { registerUpdateCommand } from './update.js';
import { registerVolumeCommands } from './volume.js';

// For `service create/update`, which read env files and runtime values as `run` does.
export { parseEnvFile } from './options.js';
export { asFlagError } from './runtime-flags.js';

export function registerContainerCommands(program: Command, ctx: () => CliContext): void {
  registerRunCommands(program, ctx);
  registerExecCommand(program, ctx);
  registerLifecycleCommands(program, ctx);
  registerQueryCommands(program, ctx);
  registerInspectCommand(program, ctx);
  registerVolumeCommands(program, ctx);
  const container = program.command('container').description('Manage containers');
  registerPruneCommand(container, ctx);
  // `container <verb>` mirrors the top-level verbs.
  registerRunCommands(container, ctx);
  registerExecCommand(container, ctx);
  registerLifecycleCommands(container, ctx);
  registerQueryCommands(container, ctx);
  registerInspectCommand(container, ctx, 'container');
  // Docker: `container ls` and `container list` are `ps`.
  container.commands.find((cmd) => cmd.name() === 'ps')?.aliases(['ls', 'list']);
  registerDiffCommand(program, ctx);
  registerDiffCommand(container, ctx);
  registerUpdateCommand(program, ctx);
  registerUpdateCommand(container, ctx);
}
