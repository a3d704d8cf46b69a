/** What follows a failed delivery attempt. Pure. */
import { backoffDelay, type BackoffPolicy } from '../watcher/backoff.js';

/** Doubling from the first wait, capped at an hour. */
export const retryPolicy = (initialMs: number): BackoffPolicy => ({ initialMs, factor: 2, maxMs: 3_600_000 });

export type AfterFailure = { state: 'failed' } | { state: 'pending'; nextAt: number };

/**
 * After `attempts` failed attempts (1 after the first): give up at `maxAttempts`, or at once on an answer that
 * says the request itself is wrong (a 4xx other than 408 and 429: Slack's 404 channel_not_found, 410
 * channel_is_archived do not go away by waiting); else wait a growing delay.
 */
export function afterFailure(attempts: number, maxAttempts: number, policy: BackoffPolicy, now: number, status: number | null = null): AfterFailure {
  if (attempts >= maxAttempts || (status !== null && !retryable(status))) return { state: 'failed' };
  return { state: 'pending', nextAt: now + backoffDelay(policy, attempts) };
}

/** No answer, a server error, a timeout (408) or a rate limit (429) may pass; another client error will not. */
export function retryable(status: number | null): boolean {
  return status === null || status >= 500 || status === 408 || status === 429 || status < 400;
}
