// `update`: new resource limits and restart policy for a container, written to its record (every
// later start builds its OCI config from it) and, while it runs, applied to its cgroup at once by
// `runc update`. Docker's rules for memory and swap (docs/design/runtime.md, "update").
import { FlotillaError } from '../../shared/errors/index.js';
import type { ContainerRecord } from './container/record.js';
import { validateCreateOptions } from './container/validate.js';
import type { RuntimeContext } from './context.js';
import type { ContainerCreateOptions, ContainerUpdate } from './types.js';

const refused = (id: string, reason: string) =>
  new FlotillaError('CONTAINER_UPDATE_REFUSED', { id, reason });

/** The swap limit in force: explicit, Docker's default of twice the memory, or none. */
function swapInForce(o: ContainerCreateOptions): number | undefined {
  if (o.memorySwapBytes !== undefined) return o.memorySwapBytes;
  return o.memoryBytes ? o.memoryBytes * 2 : undefined;
}

/** The options after `u`, with Docker's refusals; throws before anything changes. */
export function applyUpdate(
  name: string,
  cur: ContainerCreateOptions,
  u: ContainerUpdate,
): ContainerCreateOptions {
  const next: ContainerCreateOptions = { ...cur };
  if (u.memoryBytes !== undefined) {
    next.memoryBytes = u.memoryBytes;
    if (u.memorySwapBytes === undefined) {
      const swap = swapInForce(cur);
      // No limit before: swap defaults as at create (twice the memory). Unlimited stays unlimited.
      if (swap === undefined) next.memorySwapBytes = undefined;
      else if (swap !== -1 && u.memoryBytes > swap)
        throw refused(
          name,
          'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time',
        );
      else next.memorySwapBytes = swap;
    }
  }
  if (u.memorySwapBytes !== undefined) {
    if (!next.memoryBytes)
      throw refused(name, 'You must set memory limit before setting memoryswap limit');
    next.memorySwapBytes = u.memorySwapBytes;
  }
  if (u.nanoCpus !== undefined) next.nanoCpus = u.nanoCpus;
  if (u.cpuShares !== undefined) next.cpuShares = u.cpuShares;
  if (u.pidsLimit !== undefined) next.pidsLimit = u.pidsLimit > 0 ? u.pidsLimit : undefined;
  if (u.restartPolicy !== undefined) {
    if (cur.autoRemove && u.restartPolicy.name !== 'no')
      throw refused(
        name,
        'Restart policy cannot be updated because AutoRemove is enabled for the container',
      );
    next.restartPolicy = u.restartPolicy;
  }
  // The same bounds as at create (6 MB memory, swap ≥ memory, shares 2–262144, …).
  validateCreateOptions(next);
  return next;
}

/** `runc update` flags for what changed (unchanged limits are not rewritten). */
export function runcUpdateArgs(o: ContainerCreateOptions, u: ContainerUpdate): string[] {
  const args: string[] = [];
  if (u.memoryBytes !== undefined || u.memorySwapBytes !== undefined) {
    args.push(`--memory=${o.memoryBytes}`);
    const swap = swapInForce(o);
    if (swap !== undefined) args.push(`--memory-swap=${swap}`);
  }
  if (u.nanoCpus !== undefined)
    args.push('--cpu-period=100000', `--cpu-quota=${Math.round((u.nanoCpus / 1e9) * 100000)}`);
  if (u.cpuShares !== undefined) args.push(`--cpu-share=${u.cpuShares}`);
  // runc writes "max" for -1.
  if (u.pidsLimit !== undefined) args.push(`--pids-limit=${o.pidsLimit ?? -1}`);
  return args;
}

/** Applies `u` under the container's lock: live first (a refusal by the kernel changes nothing). */
export async function updateContainer(
  ctx: RuntimeContext,
  rec: ContainerRecord,
  u: ContainerUpdate,
): Promise<string[]> {
  return ctx.lock.run(rec.id, async () => {
    const next = applyUpdate(rec.name, rec.options, u);
    const args = runcUpdateArgs(next, u);
    const live = rec.state.status === 'running' || rec.state.status === 'paused';
    if (live && args.length) await ctx.runtimeOf(rec).run(['update', ...args, rec.id], rec.id);
    rec.options = next;
    await ctx.store.save(rec);
    ctx.events.publish(rec, 'update');
    return [];
  });
}
