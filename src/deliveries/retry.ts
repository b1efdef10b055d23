/*
 * When a failed delivery is tried again: exponential back-off with full
 * jitter (a random wait up to base × 2^(failures − 1), capped), so that a
 * receiver coming back is not met by every retry at once; given up on once
 * the retry window from the delivery's creation has passed.
 */

export interface RetryPolicy {
  readonly baseMs: number;
  readonly capMs: number;
  /** From the delivery's creation: past it, a failure is final. */
  readonly windowMs: number;
  /** A webhook failing without a success for this long is disabled. */
  readonly disableAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  baseMs: 10_000,
  capMs: 3_600_000,
  windowMs: 24 * 3_600_000,
  disableAfterMs: 24 * 3_600_000,
};

/** The wait before the next attempt, after this many failures; null once the window is over. */
export function nextAttemptDelay(policy: RetryPolicy, failures: number, createdAt: number, now: number, random = Math.random): number | null {
  if (now >= createdAt + policy.windowMs) return null;
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.min(Math.floor(random() * ceiling), createdAt + policy.windowMs - now);
}
