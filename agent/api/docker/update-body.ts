// Docker's body of POST /containers/{id}/update (Resources + RestartPolicy) in our words. The docker
// CLI sends every Resources field, zero for "unchanged"; a field we cannot apply is refused by name
// when it asks for a change, never dropped.
import type { ContainerUpdate, RestartPolicySpec } from '../../runtime/index.js';
import { isSet, refuse } from './create-body.js';

type Doc = Record<string, unknown>;

const applied = new Set([
  'Memory',
  'MemorySwap',
  'NanoCpus',
  'CpuShares',
  'PidsLimit',
  'RestartPolicy',
]);

const restartNames = ['no', 'on-failure', 'always', 'unless-stopped'];

function int(field: string, v: unknown): number | undefined {
  if (v === undefined || v === null || v === 0) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) refuse(field, 'must be an integer');
  return v;
}

export function updateFromDockerBody(body: unknown): ContainerUpdate {
  const b = (body ?? {}) as Doc;
  if (typeof b !== 'object' || Array.isArray(b)) refuse('body', 'must be a JSON object');
  for (const [k, v] of Object.entries(b))
    // MemorySwappiness -1 and OomKillDisable false are the CLI's "unset".
    if (!applied.has(k) && isSet(v, k) && !(k === 'MemorySwappiness' && v === -1))
      refuse(k, 'cannot be updated by Flotilla');
  const u: ContainerUpdate = {};
  const memory = int('Memory', b.Memory);
  if (memory !== undefined) u.memoryBytes = memory;
  const swap = int('MemorySwap', b.MemorySwap);
  if (swap !== undefined) u.memorySwapBytes = swap;
  const cpus = int('NanoCpus', b.NanoCpus);
  if (cpus !== undefined) u.nanoCpus = cpus;
  const shares = int('CpuShares', b.CpuShares);
  if (shares !== undefined) u.cpuShares = shares;
  // A pointer in Docker: null is unchanged, 0 and -1 are unlimited.
  if (b.PidsLimit !== undefined && b.PidsLimit !== null) {
    if (typeof b.PidsLimit !== 'number' || !Number.isInteger(b.PidsLimit))
      refuse('PidsLimit', 'must be an integer');
    u.pidsLimit = b.PidsLimit;
  }
  const rp = b.RestartPolicy as { Name?: string; MaximumRetryCount?: number } | undefined;
  if (rp?.Name) {
    if (!restartNames.includes(rp.Name))
      refuse(`RestartPolicy.Name ${JSON.stringify(rp.Name)}`, 'is not a restart policy');
    u.restartPolicy = {
      name: rp.Name as RestartPolicySpec['name'],
      ...(rp.MaximumRetryCount ? { maxRetries: rp.MaximumRetryCount } : {}),
    };
  } else if (rp?.MaximumRetryCount)
    refuse('RestartPolicy.MaximumRetryCount', 'needs RestartPolicy.Name on-failure');
  return u;
}
