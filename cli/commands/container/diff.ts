// `diff`: the files and directories a container changed, as Docker prints them (`C /tmp`, `A
// /tmp/x`, `D /etc/motd`), from the agent's GET /containers/:id/changes.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';

export function registerDiffCommand(program: Command, ctx: () => CliContext): void {
  program
    .command('diff')
    .description("Inspect changes to files or directories on a container's filesystem")
    .argument('<container>')
    .action(async (id: string) => {
      const c = ctx();
      const changes = await c.agent().json<{ Path: string; Kind: number }[]>({
        path: `/containers/${encodeURIComponent(id)}/changes`,
      });
      c.out.write(changes.map((ch) => `${'CAD'[ch.Kind] ?? '?'} ${ch.Path}\n`).join(''));
    });
}
