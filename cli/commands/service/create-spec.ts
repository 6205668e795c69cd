// `service create`'s flags → the spec it sends: specFromFlags' scalar flags, the runtime flags
// (runtime-flags.ts), and the update and rollback configs parsed as `service update` parses them.
import type { ServiceSpec } from '../../../shared/model/index.js';
import { applyRuntimeCreateFlags, type RuntimeFlags } from './runtime-flags.js';
import { specFromFlags, type ServiceCreateFlags } from './spec-from-flags.js';
import { applyUpdateFlags, type ServiceUpdateFlags } from './update.js';

export type CreateFlags = ServiceCreateFlags &
  RuntimeFlags &
  Pick<
    ServiceUpdateFlags,
    | 'updateMaxFailureRatio'
    | 'rollbackParallelism'
    | 'rollbackDelay'
    | 'rollbackFailureAction'
    | 'rollbackMonitor'
    | 'rollbackOrder'
    | 'rollbackMaxFailureRatio'
  >;

export function createSpec(image: string, args: string[], f: CreateFlags): ServiceSpec {
  const base = specFromFlags(image, args, f);
  applyRuntimeCreateFlags(base, f);
  // Only the update/rollback flags: everything else is already in `base`.
  return applyUpdateFlags(base, {
    updateMaxFailureRatio: f.updateMaxFailureRatio,
    rollbackParallelism: f.rollbackParallelism,
    rollbackDelay: f.rollbackDelay,
    rollbackFailureAction: f.rollbackFailureAction,
    rollbackMonitor: f.rollbackMonitor,
    rollbackOrder: f.rollbackOrder,
    rollbackMaxFailureRatio: f.rollbackMaxFailureRatio,
  });
}
