// Image commands: the top-level verbs Docker users type (pull, push, images, rmi, tag, save, load,
// import, history, search, login, logout) and the `image` group (image ls, image inspect,
// image prune …). The top-level `inspect` belongs to the container commands.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { registerAuthCommands } from './auth.js';
import {
  registerArchiveCommands,
  registerPruneCommand,
  registerRemoveCommand,
  registerTagCommand,
} from './manage.js';
import { registerInspectCommand, registerQueryCommands, registerSearchCommand } from './query.js';
import { registerTransferCommands } from './transfer.js';

export function registerImageCommands(program: Command, ctx: () => CliContext): void {
  registerTransferCommands(program, ctx);
  registerQueryCommands(program, ctx, false);
  registerRemoveCommand(program, ctx, 'rmi');
  registerTagCommand(program, ctx);
  registerArchiveCommands(program, ctx);
  registerSearchCommand(program, ctx);
  registerAuthCommands(program, ctx);

  const image = program.command('image').description('Manage images');
  registerTransferCommands(image, ctx);
  registerQueryCommands(image, ctx, true);
  registerRemoveCommand(image, ctx, 'rm');
  registerTagCommand(image, ctx);
  registerArchiveCommands(image, ctx);
  registerInspectCommand(image, ctx);
  registerPruneCommand(image, ctx);
}
export { ago } from './query.js';
