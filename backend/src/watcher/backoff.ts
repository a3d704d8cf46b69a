export interface BackoffPolicy {
  initialMs: number;
  factor: number;
  maxMs: number;
}

/** PM2's restart delay: 100 ms growing by half each time, capped at 15 s. */
export const RESTART_BACKOFF: BackoffPolicy = { initialMs: 100, factor: 1.5, maxMs: 15_000 };

/** The delay before attempt `attempt` (1-based): initial * factor^(attempt-1), capped. */
export function backoffDelay(policy: BackoffPolicy, attempt: number): number {
  if (attempt < 1) return 0;
  return Math.min(policy.maxMs, Math.round(policy.initialMs * policy.factor ** (attempt - 1)));
}

/** A growing delay that starts over when reset (after a success). */
export class Backoff {
  private attempt = 0;

  constructor(private readonly policy: BackoffPolicy) {}

  next(): number {
    this.attempt++;
    return backoffDelay(this.policy, this.attempt);
  }

  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}
