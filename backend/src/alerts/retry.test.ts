import { describe, expect, it } from 'vitest';
import { afterFailure, retryPolicy } from './retry.js';

describe('afterFailure', () => {
  const policy = retryPolicy(1000);

  it('waits twice as long after each failure, from the first wait, capped at an hour', () => {
    expect(afterFailure(1, 10, policy, 0)).toEqual({ state: 'pending', nextAt: 1000 });
    expect(afterFailure(2, 10, policy, 0)).toEqual({ state: 'pending', nextAt: 2000 });
    expect(afterFailure(3, 10, policy, 5)).toEqual({ state: 'pending', nextAt: 4005 });
    expect(afterFailure(30, 100, policy, 0)).toEqual({ state: 'pending', nextAt: 3_600_000 });
  });

  it('gives up at once on a client error that waiting cannot mend, and retries one that may pass', () => {
    expect(afterFailure(1, 10, policy, 0, 404)).toEqual({ state: 'failed' });
    expect(afterFailure(1, 10, policy, 0, 410)).toEqual({ state: 'failed' });
    for (const status of [429, 408, 500, 503, null]) expect(afterFailure(1, 10, policy, 0, status)).toEqual({ state: 'pending', nextAt: 1000 });
  });

  it('gives up after maxAttempts attempts', () => {
    expect(afterFailure(3, 3, policy, 0)).toEqual({ state: 'failed' });
    expect(afterFailure(1, 1, policy, 0)).toEqual({ state: 'failed' });
  });
});
