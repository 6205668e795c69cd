// stop, kill, restart, rm, pause, unpause, rename, wait, container prune.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { eachContainer } from './run.js';

export function registerLifecycleCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('stop')
    .description('Stop one or more running containers')
    .argument('<container...>')
    .option('-t, --time <seconds>', 'seconds to wait before killing the container')
    .option('-s, --signal <signal>', 'signal to send to the container')
    .action(async (ids: string[], o: { time?: string; signal?: string }) => {
      const c = ctx();
      await eachContainer(c, ids, (id) =>
        c.agent().json({
          method: 'POST',
          path: `/containers/${id}/stop`,
          query: { t: o.time, signal: o.signal },
        }),
      );
    });
  program
    .command('restart')
    .description('Restart one or more containers')
    .argument('<container...>')
    .option('-t, --time <seconds>', 'seconds to wait before killing the container')
    .action(async (ids: string[], o: { time?: string }) => {
      const c = ctx();
      await eachContainer(c, ids, (id) =>
        c.agent().json({ method: 'POST', path: `/containers/${id}/restart`, query: { t: o.time } }),
      );
    });
  program
    .command('kill')
    .description('Kill one or more running containers')
    .argument('<container...>')
    .option('-s, --signal <signal>', 'signal to send to the container', 'KILL')
    .action(async (ids: string[], o: { signal: string }) => {
      const c = ctx();
      await eachContainer(c, ids, (id) =>
        c
          .agent()
          .json({ method: 'POST', path: `/containers/${id}/kill`, query: { signal: o.signal } }),
      );
    });
  program
    .command('rm')
    .description('Remove one or more containers')
    .argument('<container...>')
    .option('-f, --force', 'force the removal of a running container (uses SIGKILL)')
    .option('-v, --volumes', 'remove anonymous volumes associated with the container')
    .action(async (ids: string[], o: { force?: boolean; volumes?: boolean }) => {
      const c = ctx();
      await eachContainer(c, ids, (id) =>
        c.agent().json({
          method: 'DELETE',
          path: `/containers/${id}`,
          query: { force: o.force ? 1 : undefined, v: o.volumes ? 1 : undefined },
        }),
      );
    });
  for (const verb of ['pause', 'unpause'] as const)
    program
      .command(verb)
      .description(
        `${verb === 'pause' ? 'Pause' : 'Unpause'} all processes within one or more containers`,
      )
      .argument('<container...>')
      .action(async (ids: string[]) => {
        const c = ctx();
        await eachContainer(c, ids, (id) =>
          c.agent().json({ method: 'POST', path: `/containers/${id}/${verb}` }),
        );
      });
  program
    .command('rename')
    .description('Rename a container')
    .argument('<container>')
    .argument('<new-name>')
    .action(async (id: string, name: string) => {
      await ctx()
        .agent()
        .json({ method: 'POST', path: `/containers/${id}/rename`, query: { name } });
    });
  program
    .command('wait')
    .description('Block until one or more containers stop, then print their exit codes')
    .argument('<container...>')
    .action(async (ids: string[]) => {
      const c = ctx();
      for (const id of ids) {
        const r = await c
          .agent()
          .json<{ StatusCode: number }>({ method: 'POST', path: `/containers/${id}/wait` });
        c.out.write(`${r.StatusCode}\n`);
      }
    });
}

export function registerPruneCommand(container: Command, ctx: () => CliContext): void {
  container
    .command('prune')
    .description('Remove all stopped containers')
    .option('-f, --force', 'do not prompt for confirmation')
    .action(async () => {
      const c = ctx();
      const r = await c
        .agent()
        .json<{ ContainersDeleted: string[] }>({ method: 'POST', path: '/containers/prune' });
      c.out.write(
        `Deleted Containers:\n${r.ContainersDeleted.map((i) => `${i}\n`).join('')}\nTotal reclaimed space: 0B\n`,
      );
    });
}
