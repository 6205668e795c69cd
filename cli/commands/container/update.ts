// `update`: new resource limits and restart policy for one or more containers, applied live by the
// agent (Docker's `docker update`; the same Docker body the docker CLI sends, one route behind both).
import type { Command } from 'commander';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { CliContext } from '../../context.js';
import { toCreateOptions, type CreateFlags } from './options.js';
import { eachContainer } from './run.js';

/** Docker's UpdateConfig for the flags given; absent or zero fields leave a limit as it is. */
function updateBody(f: CreateFlags): Record<string, unknown> {
  // The flags parse exactly as `run`'s (sizes, --cpus, --restart): one parser for both.
  const o = toCreateOptions('-', [], f);
  const body: Record<string, unknown> = {};
  if (o.memoryBytes !== undefined) body.Memory = o.memoryBytes;
  if (o.memorySwapBytes !== undefined) body.MemorySwap = o.memorySwapBytes;
  if (o.nanoCpus !== undefined) body.NanoCpus = o.nanoCpus;
  if (o.cpuShares !== undefined) body.CpuShares = o.cpuShares;
  if (o.pidsLimit !== undefined) body.PidsLimit = o.pidsLimit;
  if (o.restartPolicy)
    body.RestartPolicy = {
      Name: o.restartPolicy.name,
      MaximumRetryCount: o.restartPolicy.maxRetries ?? 0,
    };
  return body;
}

export function registerUpdateCommand(program: Command, ctx: () => CliContext): void {
  program
    .command('update')
    .description('Update configuration of one or more containers')
    .argument('<container...>')
    .option('-m, --memory <bytes>', 'memory limit')
    .option('--memory-swap <bytes>', "swap limit equal to memory plus swap: '-1' for unlimited")
    .option('--cpus <n>', 'number of CPUs')
    .option('-c, --cpu-shares <n>', 'CPU shares (relative weight)')
    .option('--pids-limit <n>', 'tune container pids limit (-1 for unlimited)')
    .option('--restart <policy>', 'restart policy: no, on-failure[:max], always, unless-stopped')
    .action(async (ids: string[], f: CreateFlags) => {
      const c = ctx();
      const body = updateBody(f);
      if (!Object.keys(body).length)
        throw new FlotillaError('INVALID_ARGUMENT', {
          detail: 'you must provide one or more flags when using this command',
        });
      await eachContainer(c, ids, (id) =>
        c.agent().json({ method: 'POST', path: `/containers/${id}/update`, body }),
      );
    });
}
