/** What follows a failed delivery attempt. Pure. */
import { backoffDelay, type BackoffPolicy } from '../watcher/backoff.js';

/** Doubling from the first wait, capped at an hour. */
export const retryPolicy = (initialMs: number): BackoffPolicy => ({ initialMs, factor: 2, maxMs: 3_600_000 });

export type AfterFailure = { state: 'failed' } | { state: 'pending'; nextAt: number };

/** After `attempts` failed attempts (1 after the first): give up at `maxAttempts`, else wait a growing delay. */
export function afterFailure(attempts: number, maxAttempts: number, policy: BackoffPolicy, now: number): AfterFailure {
  if (attempts >= maxAttempts) return { state: 'failed' };
  return { state: 'pending', nextAt: now + backoffDelay(policy, attempts) };
}
