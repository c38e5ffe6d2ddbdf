// Retrying with exponential backoff and jitter, shared by the retrying fetch (`http.ts`) and the alert
// channels: attempt n (0-based) waits between half and all of min(maxDelay, base * 2^n).
export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface RetryOutcome<T> {
  ok: boolean;
  value?: T;
  /** Attempts made (1 = no retry). */
  attempts: number;
  /** The last error's message when every attempt failed. */
  error?: string;
}

/**
 * Calls fn until it resolves or maxRetries retries were made; never throws. onRetry sees every
 * failed attempt that will be retried (for logging: pass only what is safe to log).
 */
export async function retryWithBackoff<T>(
  fn: (attempt: number) => Promise<T>,
  policy: BackoffPolicy & { maxRetries: number },
  onRetry?: (info: { attempt: number; error: string; wait_ms: number }) => void,
  random: () => number = Math.random,
): Promise<RetryOutcome<T>> {
  for (let n = 0; ; n++) {
    try {
      return { ok: true, value: await fn(n), attempts: n + 1 };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (n >= policy.maxRetries) return { ok: false, attempts: n + 1, error };
      const wait = backoffDelay(n, policy, random);
      onRetry?.({ attempt: n + 1, error, wait_ms: wait });
      await sleep(wait);
    }
  }
}
