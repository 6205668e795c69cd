// Refuses impossible create options before anything is created (API callers skip the CLI's parsing).
import { validateSpecOptions } from '../../../shared/engine/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import { effectiveCaps } from '../bundle/caps.js';
import { validateRuntimeOptions } from '../bundle/runtime-options.js';
import { securityLabels } from '../bundle/spec.js';
import type { ContainerCreateOptions } from '../types.js';

const bad = (option: string, value: unknown, reason: string) =>
  new FlotillaError('CONTAINER_OPTION_INVALID', { option, value: String(value), reason });

export function validateCreateOptions(o: ContainerCreateOptions): void {
  if (!o.image) throw new FlotillaError('INVALID_ARGUMENT', { detail: 'an image is required' });
  effectiveCaps(o); // throws on an unknown capability name
  validateRuntimeOptions(o);
  validateSpecOptions(o);
  // An unknown --security-opt, or an AppArmor/SELinux option this host cannot apply: refused now.
  securityLabels(o);
  if (
    o.memoryBytes !== undefined &&
    (!Number.isFinite(o.memoryBytes) || o.memoryBytes < 6 * 1024 * 1024)
  )
    throw bad('--memory', o.memoryBytes, 'minimum memory limit allowed is 6MB');
  if (o.memorySwapBytes !== undefined && o.memorySwapBytes !== -1) {
    if (!o.memoryBytes) throw bad('--memory-swap', o.memorySwapBytes, 'needs --memory as well');
    if (o.memorySwapBytes < o.memoryBytes)
      throw bad('--memory-swap', o.memorySwapBytes, 'must be at least --memory');
  }
  if (o.nanoCpus !== undefined && (!Number.isFinite(o.nanoCpus) || o.nanoCpus <= 0))
    throw bad('--cpus', o.nanoCpus / 1e9, 'must be a positive number');
  if (o.cpuShares !== undefined && (o.cpuShares < 2 || o.cpuShares > 262144))
    throw bad('--cpu-shares', o.cpuShares, 'must be between 2 and 262144');
  if (o.pidsLimit !== undefined && !Number.isInteger(o.pidsLimit))
    throw bad('--pids-limit', o.pidsLimit, 'must be an integer');
  if (o.workingDir && !o.workingDir.startsWith('/'))
    throw bad('--workdir', o.workingDir, 'must be an absolute path');
  for (const m of o.mounts ?? [])
    if (!m.target.startsWith('/'))
      throw new FlotillaError('MOUNT_INVALID', {
        spec: m.target,
        reason: 'the container path must be absolute',
      });
  // Docker's daemon: a check interval under 1ms would spin (an API client may send 1ns).
  const hc = o.healthcheck;
  for (const [flag, ms] of [
    ['--health-interval', hc?.intervalMs],
    ['--health-timeout', hc?.timeoutMs],
    ['--health-start-interval', hc?.startIntervalMs],
  ] as const)
    if (ms !== undefined && ms !== 0 && !(ms >= 1))
      throw bad(flag, `${ms}ms`, 'cannot be less than 1ms');
  const rp = o.restartPolicy;
  if (rp && !['no', 'on-failure', 'always', 'unless-stopped'].includes(rp.name))
    throw bad('--restart', rp.name, 'use no, on-failure[:N], always or unless-stopped');
  if (rp && rp.maxRetries && rp.name !== 'on-failure')
    throw bad(
      '--restart',
      `${rp.name}:${rp.maxRetries}`,
      'a maximum retry count is only valid with on-failure',
    );
  if (o.autoRemove && rp && rp.name !== 'no')
    throw bad('--restart', rp.name, 'conflicts with --rm');
}
