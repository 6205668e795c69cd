// Build commands: `build`, `commit`, `export`, and the `image build`, `container commit`,
// `container export` spellings Docker also accepts.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { registerBuildCommand } from './build.js';
import { registerCommitCommands } from './commit.js';

export function registerBuildCommands(program: Command, ctx: () => CliContext): void {
  registerBuildCommand(program, ctx);
  registerCommitCommands(program, ctx);
  const image = program.commands.find((c) => c.name() === 'image');
  if (image) registerBuildCommand(image, ctx);
  const container = program.commands.find((c) => c.name() === 'container');
  if (container) registerCommitCommands(container, ctx);
}
