import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, RESTART_BACKOFF } from './backoff.js';
import { CrashLoopDetector } from './crash-loop.js';

describe('backoff', () => {
  it('grows by the factor from the initial delay and stops at the cap', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(RESTART_BACKOFF, n))).toEqual([100, 150, 225, 338]);
    expect(backoffDelay(RESTART_BACKOFF, 50)).toBe(15_000);
    expect(backoffDelay(RESTART_BACKOFF, 0)).toBe(0);
  });

  it('starts over after a reset', () => {
    const b = new Backoff({ initialMs: 1000, factor: 2, maxMs: 5000 });
    expect([b.next(), b.next(), b.next(), b.next()]).toEqual([1000, 2000, 4000, 5000]);
    b.reset();
    expect(b.next()).toBe(1000);
    expect(b.attempts).toBe(1);
  });
});

describe('CrashLoopDetector', () => {
  it('reports a loop at the burst within the window, and not for spread-out failures', () => {
    const d = new CrashLoopDetector(3, 1000);
    expect(d.recordFailure(0)).toBe(false);
    expect(d.recordFailure(400)).toBe(false);
    expect(d.recordFailure(800)).toBe(true);
    const spread = new CrashLoopDetector(3, 1000);
    expect([0, 600, 1200, 1800].map((t) => spread.recordFailure(t))).toEqual([false, false, false, false]);
  });

  it('forgets everything on reset', () => {
    const d = new CrashLoopDetector(2, 1000);
    d.recordFailure(0);
    d.reset();
    expect(d.recordFailure(10)).toBe(false);
  });
});
