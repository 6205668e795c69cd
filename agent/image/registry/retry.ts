// Bounded exponential backoff for transient registry failures: dropped connections, 5xx and 429
// (honouring Retry-After up to a ceiling; a longer wait is reported instead of slept through).

export interface RetryPolicy {
  /** Retries after the first attempt. @default 4 */
  retries: number;
  /** @default 250 */
  baseDelayMs: number;
  /** @default 8000 */
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for. @default 60000 */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  retries: 4,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
};

const transientCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

/** True for network-level failures a retry (or a resume) may cure. */
export function isTransientNetworkError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (code && transientCodes.has(code)) return true;
  return /socket hang up|aborted|premature close/i.test(err.message);
}

export function isAbortError(err: unknown, signal?: AbortSignal): boolean {
  return Boolean(signal?.aborted) || (err instanceof Error && err.name === 'AbortError');
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(
  header: string | string[] | undefined,
  nowMs = Date.now(),
): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * The delay before retry number `attempt` (0-based), or undefined when the policy says stop.
 * Full jitter keeps many agents from retrying in lockstep.
 */
export function backoffDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfter?: number,
): number | undefined {
  if (attempt >= policy.retries) return undefined;
  if (retryAfter !== undefined) return retryAfter > policy.maxRetryAfterMs ? undefined : retryAfter;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
