// `flotilla service rollback SERVICE`: the manager swaps in the previous spec (POST
// /services/:id/rollback) and the updater replaces tasks with the rollback config; we wait.
import type { Command } from 'commander';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';
import { waitForConvergence } from '../../convergence.js';

export function registerServiceRollback(service: Command, ctx: () => CliContext): void {
  service
    .command('rollback')
    .description("Revert changes to a service's configuration")
    .argument('<service>')
    .option('-d, --detach', 'exit immediately instead of waiting for the service to converge')
    .option('-q, --quiet', 'suppress progress output')
    .action(async (ref: string, o: { detach?: boolean; quiet?: boolean }) => {
      const client = managerClient(ctx());
      const s = await client.json<{ id: string; version: number }>({
        path: `/services/${encodeURIComponent(ref)}`,
      });
      const res = await client.json<{ version: number }>({
        method: 'POST',
        path: `/services/${s.id}/rollback`,
        body: { version: s.version },
      });
      ctx().out.write(`${ref}\n`);
      if (o.detach) return;
      if (!o.quiet) ctx().out.write('rollback: manually requested rollback\n');
      await waitForConvergence(client, s.id, {
        out: ctx().out,
        version: res.version,
        rollback: true,
        quiet: o.quiet,
      });
    });
}
