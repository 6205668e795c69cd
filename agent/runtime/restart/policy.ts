// Docker's restart-policy decisions: whether an exit restarts, and after how long (100 ms doubling
// per consecutive restart, capped at 1 min; a run of 10 s or more resets the backoff).
import type { RestartPolicySpec } from '../types.js';

export const backoffStartMs = 100;
export const backoffMaxMs = 60_000;
export const resetAfterMs = 10_000;

export function shouldRestart(
  policy: RestartPolicySpec | undefined,
  exitCode: number,
  restartCount: number,
  manuallyStopped: boolean,
): boolean {
  if (!policy || policy.name === 'no' || manuallyStopped) return false;
  if (policy.name === 'on-failure')
    return exitCode !== 0 && (!policy.maxRetries || restartCount < policy.maxRetries);
  return true;
}

/** Delay before the next restart; `ranMs` is how long the run that just ended lasted. */
export function restartDelayMs(restartCount: number, ranMs: number): number {
  if (ranMs >= resetAfterMs) return backoffStartMs;
  return Math.min(backoffMaxMs, backoffStartMs * 2 ** Math.min(restartCount, 20));
}
